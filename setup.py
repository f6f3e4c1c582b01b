"""The package build compiles the Danish catalogues and ships the migrations.

Everything else about the package is in pyproject.toml. A wheel or `pip install .` would
otherwise carry only the .po sources (the site would silently speak English) and no
migrations (`flask db upgrade` would have nothing to run).
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install uses the checkout, where `make install` compiles
        package = Path(self.build_lib) / "app"
        compile_catalogues(package / "translations")
        copy_migrations(ROOT / "migrations", package / "migrations")


def compile_catalogues(translations: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in translations.glob("*/LC_MESSAGES/*.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=True)


def copy_migrations(source: Path, target: Path) -> None:
    for path in source.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())


setup(cmdclass={"build_py": BuildWithCatalogues})
