"""Operations: logging, Prometheus metrics and the health endpoints."""

from ._health import HealthServer, Probe, health_app, serve_health
from ._logging import Masker, configure_logging, log_context, remove_logging, secret_values
from ._memory import cap_malloc_arenas
from ._metrics import Metrics
from ._operator import OPERATOR_LOG, append_operator_alert
from ._report import rate_limit_sink, report_rate_limit

__all__ = [
    "OPERATOR_LOG",
    "HealthServer",
    "Masker",
    "Metrics",
    "Probe",
    "append_operator_alert",
    "cap_malloc_arenas",
    "configure_logging",
    "health_app",
    "log_context",
    "rate_limit_sink",
    "remove_logging",
    "report_rate_limit",
    "secret_values",
    "serve_health",
]
