"""Messages for errors that reach the command line's top-level handler (one sentence each)."""

from __future__ import annotations

import errno

from sim.messages import Msg, render
from sim.results.paths import DamagedFile
from sim.scenario.loading import InputError

# Chinese of the operating system's commonest reasons (strerror is English).
OS_REASONS_ZH = {
    errno.ENOENT: "没有这个文件或文件夹",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "操作不被允许",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EEXIST: "已经存在",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EMFILE: "打开的文件太多",
}


def error_message(exc: BaseException, lang: str = "en") -> str:
    """One sentence for an error that reached the top: what failed, on which file, the fix.

    Args:
        exc: the error.
        lang: ``en`` or ``zh`` (the message templates of :mod:`sim.messages`).
    """
    return render(_message(exc), lang)


def _message(exc: BaseException) -> Msg | str | BaseException:
    if isinstance(exc, InputError | DamagedFile):
        return exc
    if isinstance(exc, MemoryError):
        return Msg("out_of_memory")
    if isinstance(exc, OSError):
        name = exc.filename or ""
        where = f"{name}: " if name else ""
        reason = exc.strerror or str(exc) or type(exc).__name__
        zh = OS_REASONS_ZH.get(exc.errno or 0, reason)
        where_zh = f"{name}：" if name else ""
        return Msg("os_error", where=where, reason=reason, where_zh=where_zh, reason_zh=zh)
    kind = type(exc).__name__
    module = type(exc).__module__ or ""
    if module.startswith(("pyarrow", "duckdb")) or isinstance(exc, ValueError | KeyError):
        return Msg("unreadable_input", kind=kind, error=exc)
    if isinstance(exc, OverflowError | ArithmeticError):
        return Msg("out_of_range", kind=kind, error=exc)
    return Msg("unexpected", kind=kind, error=exc)
