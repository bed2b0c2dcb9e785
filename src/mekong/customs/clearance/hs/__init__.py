"""HS 2022 nomenclature data (package data; see SOURCE.md and LICENSE.md)."""
