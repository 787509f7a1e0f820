"""Receipts: one canonical JSON document, dual-written (docs/contracts/receipts.md)."""

import os
import time

from .fsio import atomic_write
from .inputs import HASH_SCHEMA
from .jcs import canonicalize


def utc_timestamp(epoch_s: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_s))


def build_receipt(*, execution_id, identity, inputs_hash, outputs_index, result, mode, started_epoch, duration_ms) -> dict:
    """identity: processor_ref, image_digest, image_tag, env_fingerprint (from the environment)."""
    receipt = {
        "execution_id": execution_id,
        "processor_ref": identity["processor_ref"],
        "image_digest": identity["image_digest"],
        "env_fingerprint": identity["env_fingerprint"],
        "inputs_hash": inputs_hash,
        "hash_schema": HASH_SCHEMA,
        "outputs_index": outputs_index,
        "processor_info": result.processor_info,
        "usage": result.usage,
        "extra": result.extra,
        "timestamp_utc": utc_timestamp(started_epoch),
        "duration_ms": int(duration_ms),
        "mode": mode,
    }
    if identity.get("image_tag"):
        receipt["image_tag"] = identity["image_tag"]
    return receipt


def write_receipts(receipt: dict, prefix: str, world: str) -> bytes:
    """The same bytes to <prefix>/receipt.json and <world>/execution/<id>/determinism.json."""
    data = canonicalize(receipt)
    atomic_write(os.path.join(prefix, "receipt.json"), data)
    atomic_write(os.path.join(world, "execution", receipt["execution_id"], "determinism.json"), data)
    return data
