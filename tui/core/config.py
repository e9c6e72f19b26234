"""The config file (``<config>/config.toml``): key remapping and preferences.

```toml
[keys]            # binding id = key(s), comma separated
bookmark = "B"
copy_link = "y,c"

[app]
bundled = true    # include the bundled sample digests
```

A missing file is fine; an unreadable one is reported as one line and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Config:
    keys: dict[str, str] = field(default_factory=dict)
    bundled: bool = True
    problems: list[str] = field(default_factory=list)


def _parse_toml(text: str) -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10: the flat subset this file uses
        data: dict = {}
        section = data
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip() if not raw.strip().startswith('"') else raw.strip()
            if not line:
                continue
            m = re.fullmatch(r"\[([A-Za-z0-9_.-]+)\]", line)
            if m:
                section = data.setdefault(m.group(1), {})
                continue
            m = re.fullmatch(r"([A-Za-z0-9_-]+)\s*=\s*(.+)", line)
            if not m:
                raise ValueError(f"cannot read line {raw!r}")
            value = m.group(2).strip()
            if value in ("true", "false"):
                section[m.group(1)] = value == "true"
            elif value[:1] in "\"'" and value[-1:] == value[:1]:
                section[m.group(1)] = value[1:-1]
            else:
                raise ValueError(f"cannot read value {value!r}")
        return data
    return tomllib.loads(text)


def load_config(path: Path) -> Config:
    cfg = Config()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return cfg
    except (OSError, UnicodeDecodeError) as e:
        cfg.problems.append(f"{path}: cannot be read ({e}); using defaults")
        return cfg
    try:
        data = _parse_toml(text)
    except Exception as e:
        cfg.problems.append(f"{path}: not valid TOML ({str(e).splitlines()[0]}); using defaults")
        return cfg
    keys = data.get("keys", {})
    if isinstance(keys, dict):
        for k, v in keys.items():
            if isinstance(v, str) and v.strip():
                cfg.keys[str(k)] = v.strip()
            else:
                cfg.problems.append(f"{path}: [keys] {k} must be a string of keys")
    app = data.get("app", {})
    if isinstance(app, dict) and isinstance(app.get("bundled"), bool):
        cfg.bundled = app["bundled"]
    return cfg
