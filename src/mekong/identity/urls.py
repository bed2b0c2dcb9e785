"""URLs of the identity pages (inside the language prefix)."""

from django.urls import path

from mekong.identity import views

app_name = "identity"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("organisations/<slug:slug>/tokens/", views.token_create, name="token_create"),
    path(
        "organisations/<slug:slug>/tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="token_revoke",
    ),
]
