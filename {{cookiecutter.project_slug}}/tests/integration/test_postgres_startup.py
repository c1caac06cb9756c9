"""Instances starting together on an empty PostgreSQL database, as a Cloud Run
deploy that scales from zero to several does: every one of them starts."""

import asyncio

from {{ cookiecutter.package_name }}.runtime.persistence import open_persistence
from {{ cookiecutter.package_name }}.settings import Settings


async def test_instances_starting_at_once_on_an_empty_database_all_start(
    database_url: str, settings: Settings
) -> None:
    configured = Settings(
        _env_file=None, data_dir=settings.data_dir, database_url=database_url
    )

    async def start() -> bool:
        async with open_persistence(configured) as persistence:
            return persistence.store is not None

    started = await asyncio.gather(*(start() for _ in range(4)))

    assert started == [True] * 4
