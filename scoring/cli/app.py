"""The command line in the office's language: :class:`App` is a ``typer.Typer`` whose commands show their
help and their usage errors in Chinese, whole at any width (wrapped, never cut).

Typer's own help and errors are English and cut long Chinese help with "…" at 80 columns (rich folds only
at spaces). So the commands here are ``TyperCommand``/``TyperGroup`` subclasses that render their help
themselves (:func:`help_text`, with rich, from each parameter's declared help and metavar) and run with
``standalone_mode=False`` so every usage error comes back as an exception and is said in Chinese by its
kind and its parameter (:func:`message_of`), not by rewording English text. ``App.command`` makes every
command such a :class:`Command`; a test walks the whole tree to keep it so.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unicodedata import east_asian_width

import typer
from rich import box
from rich.console import Group as RenderGroup, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from typer import _click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from .render import Wrapped, render

OPTIONS = "[选项]"
SUBCOMMAND = "命令 [参数]"
HELP = "显示本帮助并退出"

# the words a value is shown with when a parameter declares no metavar, by its annotation
TYPE_WORDS: dict[type, str] = {int: "数字", float: "数字", str: "文字", Path: "路径"}


# --- help ---------------------------------------------------------------------------------------------


def _paragraphs(text: str | None) -> list[str]:
    """A help text's paragraphs, each on one line (a single line break in the source is no break), with
    ``\\[`` written for a bracket read as markup elsewhere shown as ``[``."""
    text = inspect.cleandoc(text or "").partition("\f")[0].replace("\\[", "[")
    return [_join(p.splitlines()) for p in text.split("\n\n") if p.strip()]


def _join(lines: list[str]) -> str:
    """Lines of one paragraph as one: a space between two Latin words, none beside a Chinese character."""
    out = ""
    for line in (s.strip() for s in lines):
        wide = out and line and (east_asian_width(out[-1]) in "WF" or east_asian_width(line[0]) in "WF")
        out += line if not out or wide else " " + line
    return out


def metavar(param: _click.Parameter) -> str:
    """The words a parameter's value is shown with: its declared metavar, else a word for its type; none
    for a flag."""
    if isinstance(param, TyperOption) and (param.is_flag or param.count):
        return ""
    if param.metavar:
        return param.metavar
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    many = getattr(descriptor, "is_list", False) or param.multiple or param.nargs != 1
    if many and annotation is not None:
        annotation = (getattr(annotation, "__args__", None) or (str,))[0]
    word = TYPE_WORDS.get(annotation, "值") if isinstance(annotation, type) else "值"
    return word + ("…" if many else "")


def _names(param: _click.Parameter) -> str:
    if isinstance(param, TyperArgument):
        return metavar(param)
    short = [o for o in param.opts if not o.startswith("--")]
    long = [o for o in param.opts if o.startswith("--")]
    return ", ".join([*short, *long, *param.secondary_opts])


def _range(param: _click.Parameter) -> str:
    lo, hi = getattr(param, "min", None), getattr(param, "max", None)
    if lo is not None and hi is not None:
        return f"{lo} 至 {hi}"
    if lo is not None:
        return f"不小于 {lo}"
    if hi is not None:
        return f"不大于 {hi}"
    return ""


def _param_help(param: _click.Parameter, ctx: _click.Context) -> str:
    text = " ".join(_paragraphs(getattr(param, "help", None)))
    extra = []
    if (limits := _range(param)) and not isinstance(param, TyperArgument):
        extra.append(f"取值{limits}")
    show_default = getattr(param, "show_default", False)
    if isinstance(show_default, str):
        extra.append(f"默认：{show_default}")
    elif show_default and param.default not in (None, False, (), []):
        extra.append(f"默认：{param.default}")
    if param.required:
        extra.append("必填")
    return text + (f"（{'；'.join(extra)}）" if extra else "")


def _panel(title: str, rows: list[tuple[str, str]], first: int) -> Panel:
    grid = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True, width=first, style="bold cyan")
    grid.add_column(overflow="fold", ratio=1)
    for name, text in rows:
        grid.add_row(Text(name), Wrapped(text))
    return Panel(grid, title=title, title_align="left", border_style="dim", box=box.ROUNDED)


def usage(command: _click.Command, ctx: _click.Context) -> str:
    """``用法：score compute [选项]``: the command's path, options, arguments and subcommand."""
    pieces = [ctx.command_path]
    if any(isinstance(p, TyperOption) for p in command.get_params(ctx)):
        pieces.append(OPTIONS)
    for p in command.params:
        if isinstance(p, TyperArgument):
            word = metavar(p)
            pieces.append(word if p.required else f"[{word}]")
    if isinstance(command, TyperGroup):
        pieces.append(SUBCOMMAND)
    return "用法：" + " ".join(pieces)


def help_text(command: _click.Command, ctx: _click.Context) -> str:
    """The whole help of a command or group, rendered by rich to the terminal's width."""
    parts: list[RenderableType] = [
        Padding(Text(usage(command, ctx), style="bold"), (1, 1, 0, 1), expand=False)
    ]
    paragraphs = _paragraphs(command.help)
    if paragraphs:
        body = Wrapped("\n\n".join(paragraphs))
        parts.append(Padding(body, (1, 1, 1, 1), expand=False))
    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    arguments = [(_names(p), _param_help(p, ctx)) for p in params if isinstance(p, TyperArgument)]
    options = [
        (f"{_names(p)} {metavar(p)}".strip(), _param_help(p, ctx))
        for p in params
        if isinstance(p, TyperOption)
    ]
    commands: list[tuple[str, str]] = []
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                commands.append((name, (_paragraphs(sub.help) or [""])[0]))
    from .render import width

    first = max([width(n) for n, _ in arguments + options + commands] or [0])
    for title, rows in (("参数", arguments), ("选项", options), ("命令", commands)):
        if rows:
            parts.append(_panel(title, rows, first))
    return render(RenderGroup(*parts))


# --- errors -------------------------------------------------------------------------------------------


def _hint(param: _click.Parameter | None) -> str:
    if param is None:
        return ""
    if isinstance(param, TyperArgument):
        return metavar(param)
    return " / ".join(param.opts)


# pydantic's error types (the value typer could not convert), in words
CONVERSION: dict[str, str] = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为是或否",
    "string_too_short": "不能为空",
}
BOUNDS: dict[str, str] = {
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
}


def _conversion(e: _click.exceptions.BadParameter) -> str:
    cause = e.__cause__
    errors = getattr(cause, "errors", None)
    found = errors()[0] if callable(errors) and errors() else None
    if found is None:
        return "值无效"
    kind, context = str(found.get("type", "")), dict(found.get("ctx") or {})
    value = found.get("input")
    shown = f"“{value}”" if isinstance(value, str) else ""
    if kind in CONVERSION:
        return f"值{shown}无效：{CONVERSION[kind]}"
    if kind in BOUNDS:
        return f"值{shown}无效：" + BOUNDS[kind].format(**{k: str(v) for k, v in context.items()})
    choices = getattr(getattr(e.param, "type_descriptor", None), "choices", None)
    if choices:
        return f"值{shown}无效：应为 " + "、".join(str(getattr(c, "value", c)) for c in choices)
    return f"值{shown}无效"


# the few messages Click builds from words alone (no parameter to say them by)
FAILURES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^Got unexpected extra argument\(s\) \((.*)\)$"), lambda m: f"多余的参数：{m[1]}"),
    (
        re.compile(r"^No such command '(.*?)'\.(?: Did you mean (.*)\?)?$"),
        lambda m: f"没有命令 {m[1]}" + (f"；是否指 {_listed(m[2])}？" if m[2] else ""),
    ),
    (re.compile(r"^Missing command\.$"), lambda m: "缺少命令"),
    (re.compile(r"^Option '(.*?)' does not take a value\.$"), lambda m: f"选项 {m[1]} 是开关，不带值"),
    (
        re.compile(r"^Option '(.*?)' requires (?:an argument|\d+ arguments)\.$"),
        lambda m: f"选项 {m[1]} 后须给出值",
    ),
    (re.compile(r"^Argument '(.*?)' takes (\d+) values\.$"), lambda m: f"参数 {m[1]} 需要 {m[2]} 个值"),
]


def _listed(names: str) -> str:
    return "、".join(n.strip().strip("'") for n in names.split(","))


def message_of(e: _click.ClickException) -> str:
    """A usage error in Chinese, said by its kind and its parameter."""
    exceptions = _click.exceptions
    if isinstance(e, exceptions.MissingParameter):
        param = e.param
        what = "参数" if isinstance(param, TyperArgument) else "选项"
        about = " ".join(_paragraphs(getattr(param, "help", None)))
        return f"缺少{what} {_hint(param)}" + (f"（{about}）" if about else "")
    if isinstance(e, exceptions.NoSuchOption):
        maybe = sorted(e.possibilities or [])
        return f"没有选项 {e.option_name}" + (f"；是否指 {'、'.join(maybe)}？" if maybe else "")
    if isinstance(e, exceptions.BadParameter):
        hint = _hint(e.param) if e.param is not None else ""
        return f"{hint} 的{_conversion(e)}".strip() if hint else _conversion(e)
    for pattern, say in FAILURES:
        if m := pattern.match(e.message):
            return say(m)
    return f"命令行有误：{e.message}"


def show_error(e: _click.ClickException) -> None:
    from .render import error

    ctx = getattr(e, "ctx", None)
    if ctx is not None:
        typer.echo(usage(ctx.command, ctx), err=True)
    error(message_of(e))
    if ctx is not None:
        typer.echo(f"查看帮助：{ctx.command_path} --help", err=True)


# --- the command classes --------------------------------------------------------------------------------


class _Chinese:
    """What a command and a group share: the help option, the usage line, the help and the errors."""

    def get_help_option(self, ctx: _click.Context) -> TyperOption | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP
        return option  # type: ignore[no-any-return]

    def format_usage(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        formatter.write(usage(self, ctx) + "\n")  # type: ignore[arg-type]

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        formatter.write(help_text(self, ctx) + "\n")  # type: ignore[arg-type]

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        run = super().main  # type: ignore[misc]
        if not standalone_mode:
            return run(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = run(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except _click.exceptions.NoArgsIsHelpError as e:
            typer.echo(e.message)
            sys.exit(0)
        except _click.ClickException as e:
            show_error(e)
            sys.exit(e.exit_code)
        except typer.Abort:
            from .render import error

            error("已中止")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class Command(_Chinese, TyperCommand):
    """A command whose help and usage errors are in Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = OPTIONS
        super().__init__(*args, **kwargs)


class Group(_Chinese, TyperGroup):
    """A group of commands whose help and usage errors are in Chinese."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND)
        super().__init__(**kwargs)


class App(typer.Typer):
    """``typer.Typer`` with Chinese help and errors for the app and every command added to it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("pretty_exceptions_enable", False)
        kwargs.setdefault("no_args_is_help", True)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[Any], Any]:
        kwargs.setdefault("cls", Command)
        return super().command(name, **kwargs)
