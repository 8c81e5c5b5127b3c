"""``dockyard serve [CONFIG]``, ``dockyard version``; errors are one line and a non-zero exit."""

from __future__ import annotations

import argparse
import sys

from dockyard import __version__, logs

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dockyard",
        description="Dockyard: a container image registry (OCI Distribution API), "
        "a drop-in replacement for CNCF Distribution.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="serve the registry API")
    serve.add_argument(
        "config",
        nargs="?",
        help="Distribution-format config.yml (default: embedded defaults, or "
        "$REGISTRY_CONFIGURATION_PATH): filesystem storage in ./registry-data on 127.0.0.1:5000",
    )
    serve.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: dockyard.workers, 1)"
    )
    sub.add_parser("version", help="print the version")
    return parser


def _fail(message: str) -> int:
    print(f"dockyard: {message}", file=sys.stderr)
    return EXIT_CONFIG


def serve(config_path: str | None, workers: int | None) -> int:
    from dockyard import auth, server
    from dockyard.config import loader
    from dockyard.storage.driver.factory import DriverUnavailableError, check

    try:
        config = loader.load(config_path)
        check(config.storage.driver_name)
        server.parse_addr(config.http.addr)
        auth.build(config)  # the workers build it again: this is for one clear line, once
    except (
        loader.ConfigError,
        DriverUnavailableError,
        server.ServerConfigError,
        auth.AuthConfigError,
    ) as exc:
        return _fail(str(exc))
    logs.setup(config.log.level, config.log.formatter, config.log.fields)
    try:
        server.run(config, config_path, workers)
    except server.ServerConfigError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot listen on {config.http.addr}: {exc.strerror or exc}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "version":
        print(f"dockyard {__version__}")
        return 0
    if args.command == "serve":
        try:
            return serve(args.config, args.workers)
        except KeyboardInterrupt:
            return 0
    _parser().print_help()
    return 0
