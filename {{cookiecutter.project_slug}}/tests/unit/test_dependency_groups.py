"""A tool's dependency group, named when it is missing."""

import pytest

from {{ cookiecutter.package_name }}.dependency_groups import require_group


def test_installed_modules_pass() -> None:
    require_group("eval", "json", "email.mime")


@pytest.mark.parametrize("module", ["no_such_module", "no_such_package.child"])
def test_a_missing_module_names_the_group_to_install(module: str) -> None:
    with pytest.raises(ModuleNotFoundError) as missing:
        require_group("drift", "json", module)

    assert str(missing.value) == (
        f"{module} not installed: they come with the `drift` dependency group "
        "(uv sync --group drift; make install installs every group)"
    )
