"""Publishing a built site: only what changed, in an order that keeps the live site whole.

One module per concern: `targets` (config), `manifest` (what was published, the local
journal), `plan` (what changed, in what order), `run` (the command), and one module per
protocol (`local`, `rsync`, `sftp`, `ftp`, `s3`) behind `transport.Transport`.
"""

from .run import DeployOptions, deploy_command
from .targets import Target, load_targets

__all__ = ["DeployOptions", "Target", "deploy_command", "load_targets"]
