"""Alembic migration scripts, shipped inside the package so `upgrade()` needs no
alembic.ini and works from an installed wheel."""
