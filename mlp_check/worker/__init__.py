r"""The worker side of `mlp-check`: what runs in the processes that load a candidate's file.

- `__main__`: the zygote (`python -P -m mlp_check.worker`), which imports torch once and forks
  one worker per file;
- `serve`: the worker, which shuts the candidate in and runs a file's units;
- `trap`: autograd's entry points, trapped;
- `procs`: processes by their parent, read from /proc, to kill whatever a candidate started.

It imports only torch and the standard library: never `mlp`, which a candidate's own `mlp.py`
would stand for, and never the parent's modules.
"""
