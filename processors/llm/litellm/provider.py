"""LLM chat completion through litellm; an offline, byte-stable echo in mock mode."""

from _runtime import OutputItem, ProcessorResult, SigilError, canonicalize

REQUIRED_SECRETS = ["OPENAI_API_KEY"]
MOCK_MODEL = "mock-model"


def _text_of(content) -> str:
    """OpenAI message content is a string or a list of typed parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def _messages(params: dict) -> list:
    messages = params.get("messages", [])
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise SigilError("ERR_INPUTS", "params.messages must be a list of objects")
    return messages


def last_user_text(params: dict) -> str:
    for message in reversed(_messages(params)):
        if message.get("role") == "user":
            return _text_of(message.get("content"))
    return ""


def mock_completion(inputs: dict, digest: str) -> dict:
    """An OpenAI-style chat completion derived only from the inputs (no clock, no randomness)."""
    content = f"[mock] {last_user_text(inputs['params'])}"
    return {
        "id": f"chatcmpl-mock-{digest[:16]}",
        "object": "chat.completion",
        "created": 0,
        "model": inputs.get("model") or MOCK_MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _result(response: dict, info: str, usage: dict) -> ProcessorResult:
    content = _text_of(((response.get("choices") or [{}])[0].get("message") or {}).get("content"))
    return ProcessorResult(
        outputs=[
            OutputItem("outputs/response.json", canonicalize(response)),
            OutputItem("outputs/response.txt", content.encode("utf-8")),
        ],
        processor_info=info,
        usage=usage,
    )


def _real_completion(inputs: dict, env: dict) -> ProcessorResult:
    try:
        import litellm  # lazy: mock runs need nothing beyond the standard library
    except ImportError:
        raise SigilError("ERR_ADAPTER_INVOCATION", "python package 'litellm' is not installed") from None
    params = inputs["params"]
    model = inputs.get("model") or params.get("model")
    if not isinstance(model, str) or not model:
        raise SigilError("ERR_INPUTS", "real mode needs a model")
    messages = _messages(params)
    extra_params = {k: v for k, v in params.items() if k not in ("model", "messages")}
    try:
        response = litellm.completion(model=model, messages=messages, api_key=env["OPENAI_API_KEY"], **extra_params)
    except Exception as exc:  # translated once, here, where the SDK error enters
        raise SigilError("ERR_ADAPTER_INVOCATION", f"litellm.completion raised {type(exc).__name__}: {exc}") from None
    data = _plain_json(response.model_dump() if hasattr(response, "model_dump") else dict(response))
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    return _result(data, f"litellm {getattr(litellm, '__version__', '?')} real", usage)


def _plain_json(value):
    """SDK responses may hold non-JSON leaves; stringify them so the bytes canonicalize."""
    if isinstance(value, dict):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_json(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    return str(value)


def make_runner(config: dict):
    if config["mode"] == "real":
        return lambda inputs: _real_completion(inputs, config["env"])
    digest = config["inputs_hash"]
    return lambda inputs: _result(mock_completion(inputs, digest), "litellm mock (offline)", {})
