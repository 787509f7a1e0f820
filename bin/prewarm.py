# A pre-started interpreter (bin/sigil.cjs runs this text with `python3 -c`): it blocks on fd 3
# for one JSON job spec from the local adapter, then becomes the processor exactly as
# `python3 <script>` or `python3 -m <module>` in the spec's cwd would (docs/performance.md).
# EOF without a spec (the CLI ended, or chose a normal spawn) ends it quietly.
def _become():
    import builtins
    import json
    import os
    import sys

    with os.fdopen(3, "rb") as channel:
        raw = channel.read()
    if not raw:
        sys.exit(0)
    spec = json.loads(raw)
    start = os.getcwd()
    os.chdir(spec["cwd"])
    # A launcher between the CLI and Python (a pyenv shim: PWD, PYENV_DIR) may have recorded the
    # folder it started in; a direct spawn would have recorded the processor's.
    for name, value in list(os.environ.items()):
        if value == start and name not in spec["started_with"] and name not in spec["env"]:
            os.environ[name] = os.getcwd()
    # Only what the adapter's environment adds to the one this interpreter started with.
    os.environ.update(spec["env"])
    main = sys.modules["__main__"].__dict__
    main.clear()
    main.update(__name__="__main__", __doc__=None, __package__=None, __loader__=None,
                __spec__=None, __annotations__={}, __builtins__=builtins)
    try:
        if "module" in spec:
            import runpy

            # `python3 -m`: the working directory first on sys.path; runpy sets argv[0].
            sys.path[0] = os.getcwd()
            sys.argv = ["-m", *spec["args"]]
            runpy._run_module_as_main(spec["module"], alter_argv=True)
        else:
            from importlib.machinery import SourceFileLoader

            # `python3 <script>`: the script's folder first on sys.path, argv[0] as given.
            path = os.path.abspath(spec["script"])
            sys.path[0] = os.path.dirname(path)
            sys.argv = [spec["script"], *spec["args"]]
            main.update(__file__=path, __cached__=None, __loader__=SourceFileLoader("__main__", path))
            with open(path, "rb") as source:
                code = compile(source.read(), path, "exec")
            exec(code, main)
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as error:
        # The traceback a direct start prints: without this bootstrap's own frames.
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == "<string>":
            tb = tb.tb_next
        sys.excepthook(type(error), error.with_traceback(tb), tb)
        sys.exit(1)


_become()
