"""Settings read from the environment: safe defaults locally, a clear error in production."""

from tests.support.commands import run_manage


def run_check(**env):
    return run_manage("check", **env)


def test_without_a_secret_key_production_refuses_to_start():
    result = run_check(DEBUG="0", ALLOWED_HOSTS="example.gouv.fr")
    assert result.returncode != 0
    assert "SECRET_KEY doit être défini" in result.stderr


def test_with_a_secret_key_production_starts():
    result = run_check(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.gouv.fr")
    assert result.returncode == 0, result.stderr


def test_local_development_needs_nothing_set():
    result = run_check()
    assert result.returncode == 0, result.stderr
