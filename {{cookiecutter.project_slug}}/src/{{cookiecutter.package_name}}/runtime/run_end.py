"""What a run leaves when it ends, however it ends: its reader gets the failure (if
any), the run's summary (the log line and metrics: observability/metering.py) and
then the end of the stream; the run is kept for evaluation if CAPTURE_RUNS says so."""

from ..observability.capture import RunCapture
from ..observability.metering import Metering, RunMeter, RunStatus
from ..observability.telemetry import trace_id
from .run_types import Outcome, RunFailed, RunLog, RunRequest, user_input


def end_run(
    request: RunRequest,
    log: RunLog,
    outcome: Outcome,
    *,
    meter: RunMeter,
    status: RunStatus,
    failure: RunFailed | None,
    metering: Metering,
    capture: RunCapture | None,
) -> None:
    try:
        if failure:
            log.put_nowait(failure)
        said = user_input(request.input)
        summary = metering.finish(
            meter,
            thread_id=request.thread_id,
            run_id=request.run_id,
            status=status,
            error=failure.code if failure else None,
            user_input=said,
            guardrail=outcome.guardrail,
        )
        log.put_nowait(summary)
        if capture is not None:
            capture.add_run(
                summary,
                user_input=said,
                messages=outcome.messages,
                trace_id=trace_id(),
            )
    finally:
        log.put_nowait(None)  # whatever happens, the reader stops
