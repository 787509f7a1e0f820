"""Image generation through replicate; an offline, byte-stable PNG in mock mode."""

import struct
import zlib

from _runtime import OutputItem, ProcessorResult, SigilError, canonicalize

REQUIRED_SECRETS = ["REPLICATE_API_TOKEN"]
MOCK_MODEL = "mock/model"
MOCK_SIZE = 8


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def solid_png(rgb: bytes, size: int = MOCK_SIZE) -> bytes:
    """A size x size RGB PNG of one colour.

    The zlib stream is written by hand as one stored (uncompressed) block: compressor output
    differs between zlib builds, and mock bytes must be identical on every machine.
    """
    raw = (b"\x00" + rgb * size) * size  # each row: filter type 0, then the pixels
    stored = b"\x01" + struct.pack("<HH", len(raw), len(raw) ^ 0xFFFF) + raw  # BFINAL=1, BTYPE=00
    zdata = b"\x78\x01" + stored + struct.pack(">I", zlib.adler32(raw))
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit truecolour
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zdata) + _png_chunk(b"IEND", b"")


def prompt_of(params: dict) -> str:
    """params.prompt, else the last user message's text."""
    if isinstance(params.get("prompt"), str):
        return params["prompt"]
    messages = params.get("messages")
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user" and isinstance(message.get("content"), str):
                return message["content"]
    return ""


def mock_prediction(inputs: dict, digest: str) -> ProcessorResult:
    prediction = {
        "id": f"mock-{digest[:20]}",
        "model": inputs.get("model") or MOCK_MODEL,
        "status": "succeeded",
        "input": {"prompt": prompt_of(inputs["params"])},
        "output": ["outputs/image.png"],
    }
    return ProcessorResult(
        outputs=[
            OutputItem("outputs/prediction.json", canonicalize(prediction)),
            OutputItem("outputs/image.png", solid_png(bytes.fromhex(digest[:6]))),
        ],
        processor_info="replicate mock (offline)",
    )


def _plain_output(value, files: list):
    """Replicate returns URLs, strings or file objects; file bodies become outputs of their own."""
    if isinstance(value, (list, tuple)):
        return [_plain_output(v, files) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain_output(v, files) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "read"):
        url = str(getattr(value, "url", ""))
        suffix = url.rsplit(".", 1)[-1] if "." in url.rsplit("/", 1)[-1] else "bin"
        relpath = f"outputs/output-{len(files)}.{suffix}"
        files.append(OutputItem(relpath, value.read()))
        return relpath
    return str(value)


def _real_prediction(inputs: dict, env: dict) -> ProcessorResult:
    try:
        import replicate  # lazy: mock runs need nothing beyond the standard library
    except ImportError:
        raise SigilError("ERR_ADAPTER_INVOCATION", "python package 'replicate' is not installed") from None
    model = inputs.get("model")
    if not model:
        raise SigilError("ERR_INPUTS", "real mode needs a model")
    try:
        client = replicate.Client(api_token=env["REPLICATE_API_TOKEN"])
        output = client.run(model, input=inputs["params"])
        files: list = []
        plain = _plain_output(output, files)
    except Exception as exc:  # translated once, here, where the SDK error enters
        raise SigilError("ERR_ADAPTER_INVOCATION", f"replicate.run raised {type(exc).__name__}: {exc}") from None
    prediction = {"model": model, "status": "succeeded", "input": inputs["params"], "output": plain}
    return ProcessorResult(
        outputs=[OutputItem("outputs/prediction.json", canonicalize(prediction)), *files],
        processor_info=f"replicate {getattr(replicate, '__version__', '?')} real",
    )


def make_runner(config: dict):
    if config["mode"] == "real":
        return lambda inputs: _real_prediction(inputs, config["env"])
    digest = config["inputs_hash"]
    return lambda inputs: mock_prediction(inputs, digest)
