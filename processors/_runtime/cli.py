"""run_main: the one failure boundary of a processor process (docs/contracts/processor.md).

args -> inputs -> CI guard -> world/prefix -> secrets (real only) -> runner -> outputs ->
index -> receipts -> exactly one JSON line on stdout.
"""

import argparse
import json
import os
import re
import sys
import time
import traceback

from .errors import SigilError
from .inputs import guard_ci, inputs_hash, load_inputs
from .jcs import canonicalize
from .log import Logger, bound
from .outputs import write_outputs
from .receipt import build_receipt, write_receipts
from .result import ProcessorResult

_EXECUTION_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")  # it names a directory


class _ArgParser(argparse.ArgumentParser):
    def print_help(self, file=None):  # stdout carries only the result line
        super().print_help(file or sys.stderr)


def parse_args(argv=None):
    parser = _ArgParser(prog="processor", description="Run a SIGIL.ZERO processor once.")
    parser.add_argument("--inputs", required=True, help="path to the inputs payload (schema v1)")
    parser.add_argument("--write-prefix", required=True, help="directory that receives outputs and the receipt")
    parser.add_argument("--execution-id", required=True, help="runtime identity of this execution")
    return parser.parse_args(argv)  # a usage error exits 2 with the usage on stderr


def read_identity(env) -> dict:
    """Image/processor identity comes from the launcher (adapter) through the environment."""
    return {
        "processor_ref": env.get("SIGIL_PROCESSOR_REF", ""),
        "image_digest": env.get("SIGIL_IMAGE_DIGEST", ""),
        "image_tag": env.get("SIGIL_IMAGE_TAG", ""),
        "env_fingerprint": env.get("SIGIL_ENV_FINGERPRINT", ""),
    }


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


def resolve_dirs(write_prefix: str, execution_id: str, env) -> tuple:
    """(world, prefix) as real absolute paths; the prefix must lie inside the world root."""
    world = env.get("SIGIL_WORLD", "")
    if not world or not os.path.isabs(world):
        raise SigilError("ERR_ADAPTER_INVOCATION", "SIGIL_WORLD must be set to an absolute path")
    world = os.path.realpath(world)
    prefix = os.path.realpath(write_prefix.replace("{execution_id}", execution_id))
    if not _inside(prefix, world) or prefix == world or _inside(prefix, os.path.join(world, "execution")):
        raise SigilError("ERR_INPUTS", "write prefix must lie inside the world root (not at it, not under execution/)")
    return world, prefix


def collect_secrets(required, mode: str, env) -> dict:
    """Real mode only: names are checked, and only names appear in errors."""
    if mode != "real":
        return {}
    missing = [name for name in required if not env.get(name)]
    if missing:
        raise SigilError("ERR_MISSING_SECRET", f"missing required secret: {', '.join(missing)}")
    return {name: env[name] for name in required}


def _check_result(result) -> None:
    if not isinstance(result, ProcessorResult):
        raise SigilError("ERR_ADAPTER_INVOCATION", "runner did not return a ProcessorResult")
    if not isinstance(result.processor_info, str):
        raise SigilError("ERR_ADAPTER_INVOCATION", "processor_info must be a string")
    for name in ("usage", "extra"):
        value = getattr(result, name)
        if not isinstance(value, dict):
            raise SigilError("ERR_ADAPTER_INVOCATION", f"{name} must be a dict")
        try:
            canonicalize(value)  # fail now rather than after the outputs are written
        except (TypeError, SigilError) as exc:
            raise SigilError("ERR_ADAPTER_INVOCATION", f"{name} is not canonical JSON: {exc}") from None


def execute(args, make_runner, required_secrets, env, identity: dict, log: Logger, started_epoch: float) -> None:
    """Everything between argument parsing and the result line; raises on failure."""
    if not _EXECUTION_ID_RE.match(args.execution_id):
        raise SigilError("ERR_INPUTS", "execution id must be 1-128 of [A-Za-z0-9._-], not starting with . - _")
    inputs = load_inputs(args.inputs)
    mode = inputs["mode"]
    log.bound["mode"] = mode
    guard_ci(mode, env)  # before anything is written or any provider is constructed
    world, prefix = resolve_dirs(args.write_prefix, args.execution_id, env)
    log.event("processor.start")
    secrets = collect_secrets(required_secrets, mode, env)
    digest = inputs_hash(inputs)
    runner = make_runner({"mode": mode, "env": secrets, "inputs_hash": digest})
    log.event("provider.call")
    result = runner(inputs)
    _check_result(result)
    log.event("provider.response", outputs=len(result.outputs))
    index = write_outputs(result.outputs, prefix)
    log.event("processor.outputs", count=len(index))
    receipt = build_receipt(
        execution_id=args.execution_id,
        identity=identity,
        inputs_hash=digest,
        outputs_index=index,
        result=result,
        mode=mode,
        started_epoch=started_epoch,
        duration_ms=log.elapsed_ms(),  # the logger's clock started with the run
    )
    write_receipts(receipt, prefix, world)
    log.event("processor.receipt", inputs_hash=digest)


def _divert_stdout() -> int:
    """Point fd 1 at stderr for the run (SDKs print); return a dup of the real stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    return saved


def _emit_result(fd: int, record: dict) -> None:
    sys.stdout.flush()
    # ASCII-escaped JSON cannot fail to encode, whatever an error message contains.
    line = (json.dumps(record, separators=(",", ":")) + "\n").encode("ascii")
    os.dup2(fd, 1)
    os.close(fd)
    os.write(1, line)


def run_main(make_runner, required_secrets=(), argv=None) -> None:
    """Run one processor execution and exit: 0 on success, 1 on an error result, 2 on bad usage."""
    args = parse_args(argv)
    env = os.environ
    started_epoch = time.time()
    identity = read_identity(env)
    log = Logger(args.execution_id, identity["processor_ref"], identity["image_digest"])
    stdout_fd = _divert_stdout()
    try:
        execute(args, make_runner, list(required_secrets), env, identity, log, started_epoch)
        record, code = {"status": "success", "execution_id": args.execution_id}, 0
    except (Exception, SystemExit) as exc:  # the one boundary: every failure becomes an error result
        if isinstance(exc, SigilError):
            err_code, message, tb = exc.code, exc.message, None
        else:
            err = SigilError("ERR_ADAPTER_INVOCATION", f"{type(exc).__name__}: {exc}")
            err_code, message, tb = err.code, err.message, traceback.format_exc()[-2000:]
        message = bound(log.redact(message))
        log.event("processor.error", level="error", code=err_code, message=message, **({"traceback": tb} if tb else {}))
        error = {"code": err_code, "message": message}
        record, code = {"status": "error", "execution_id": args.execution_id, "error": error}, 1
    _emit_result(stdout_fd, record)
    raise SystemExit(code)
