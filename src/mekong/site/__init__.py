"""The site shell: base layout, navigation, language switcher and the home page."""
