"""The Celery settings long GPU work needs, as the worker app sees them."""

from worker.celery import app


def test_it_acknowledges_a_job_only_once_it_is_done():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_it_keeps_redis_from_handing_a_running_job_to_a_second_worker(settings):
    # The folder broker has no visibility timeout; Redis (the PostgreSQL pass) does.
    if "visibility_timeout" in settings.CELERY_BROKER_TRANSPORT_OPTIONS:
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.JOB_TIME_LIMIT


def test_its_time_limits_are_the_jobs_and_the_soft_one_comes_first(settings):
    assert app.conf.task_soft_time_limit == settings.JOB_SOFT_TIME_LIMIT
    assert app.conf.task_time_limit == settings.JOB_TIME_LIMIT
    assert settings.JOB_SOFT_TIME_LIMIT < settings.JOB_TIME_LIMIT


def test_an_upload_does_not_wait_long_for_a_broker_that_is_down():
    assert app.conf.task_publish_retry_policy["max_retries"] <= 1
    assert app.conf.broker_connection_timeout <= 5
    assert app.conf.broker_connection_max_retries is None  # but a worker waits for ever
