#!/usr/bin/env bash
# Lists every public declaration of the library modules that has no `///` doc comment, and
# exits 1 if there is one (0 when all are documented, 2 on a usage error).
#
#   scripts/check-doc-comments.sh [--summary] [PATH...]
#
# Default paths: every target under Sources/ except the executables (certssb, certssbd)
# and the C shims (no Swift files), plus Plugins/Support. `--summary` prints only the
# count line. The count line ("documented D of T public declarations") goes to stderr.
#
# A public declaration is a line that declares something `public` or `open` (type, func,
# init, property, subscript, typealias, case), a requirement of a public protocol, or a
# case of a public enum. It is documented when the line above it, skipping attribute-only
# lines (`@inlinable`, `@available(...)`), is a `///` line or closes a `/** ... */` block.
# A `public extension` itself is not counted; its members are, as they are public.
set -euo pipefail
cd "$(dirname "$0")/.."

summary=0
paths=()
for arg in "$@"; do
    case "$arg" in
        --summary) summary=1 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "check-doc-comments: unknown option $arg" >&2; exit 2 ;;
        *) paths+=("$arg") ;;
    esac
done
if [ ${#paths[@]} -eq 0 ]; then
    for dir in Sources/*/; do
        name=$(basename "$dir")
        case "$name" in certssb|certssbd) continue ;; esac
        # C shims are a module map and a header: nothing to check.
        if find "$dir" -name '*.swift' -print -quit | grep -q .; then paths+=("${dir%/}"); fi
    done
    paths+=(Plugins/Support)
fi

SUMMARY=$summary python3 - "${paths[@]}" <<'PY'
import os, re, sys

DECL = re.compile(
    r'^\s*(?:@[\w.]+(?:\([^)]*\))?\s+)*'
    r'((?:(?:public|open|private|fileprivate|internal|package|static|class|final|override|'
    r'mutating|nonmutating|nonisolated(?:\(unsafe\))?|lazy|weak|unowned|required|convenience|'
    r'indirect|dynamic|optional|prefix|postfix|infix|consuming|borrowing|'
    r'(?:public|open|private|fileprivate|internal|package)\(set\))\s+)*)'
    r'(func|init|deinit|var|let|struct|class|enum|protocol|typealias|associatedtype|case|'
    r'subscript|actor|extension)\b')
SCOPES = {'struct', 'class', 'enum', 'protocol', 'extension', 'actor'}
RESTRICTED = re.compile(r'\b(private|fileprivate|internal|package)\b(?!\()')
ATTRIBUTE_ONLY = re.compile(r'^\s*@[\w.]+(?:\(.*\))?\s*$')


def code_lines(text):
    """Each line with comments and string contents blanked, and the brace depth at its start.

    Handles nested block comments, "..." and \"\"\"...\"\"\" strings, raw strings #"..."#,
    and interpolations \\( ... ) (code again, with its own strings) inside strings."""
    out, depths = [], []
    line, depth = [], 0
    stack = []          # modes: ('code', parens) | ('str', hashes, multi) | ('block', nest)
    mode = ['code', 0]
    i, n = 0, len(text)
    depths.append(0)
    while i < n:
        c = text[i]
        if c == '\n':
            out.append(''.join(line)); line = []
            depths.append(depth)
            i += 1
            continue
        kind = mode[0]
        if kind == 'block':
            if text.startswith('/*', i):
                mode[1] += 1; i += 2
            elif text.startswith('*/', i):
                mode[1] -= 1; i += 2
                if mode[1] == 0:
                    mode = stack.pop()
            else:
                i += 1
            continue
        if kind == 'str':
            hashes, multi = mode[1], mode[2]
            esc = '\\' + '#' * hashes
            if text.startswith(esc + '(', i):
                stack.append(mode); mode = ['code', 0]; i += len(esc) + 1
                line.append('(')
                continue
            if text.startswith(esc, i) and hashes == 0:
                # an escaped line break (multi-line strings) still ends the line
                i += 1 if text.startswith('\n', i + 1) else 2
                continue
            close = ('"""' if multi else '"') + '#' * hashes
            if text.startswith(close, i):
                i += len(close); line.append('"')
                mode = stack.pop()
                continue
            i += 1
            continue
        # code
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            i = j
            continue
        if text.startswith('/*', i):
            stack.append(mode); mode = ['block', 1]; i += 2
            continue
        m = re.compile(r'(#*)("""|")').match(text, i)
        if m and (m.group(1) or c == '"'):
            stack.append(mode)
            mode = ['str', len(m.group(1)), m.group(2) == '"""']
            line.append('"'); i = m.end()
            continue
        if c == '(' :
            mode[1] += 1
        elif c == ')':
            if mode[1] == 0 and stack and stack[-1][0] == 'str':
                mode = stack.pop(); line.append(')'); i += 1
                continue
            mode[1] -= 1
        elif c == '{':
            depth += 1
        elif c == '}':
            depth -= 1
        line.append(c)
        i += 1
    out.append(''.join(line))
    return out, depths[:len(out)]


def check(path):
    text = open(path, encoding='utf-8').read()
    raw = text.split('\n')
    code, depths = code_lines(text)
    # scopes: list of (kind, public, depth of its body)
    scopes, pending, found = [], None, []
    for no, (src, cl, d) in enumerate(zip(raw, code, depths)):
        while scopes and d < scopes[-1][2]:
            scopes.pop()
        m = DECL.match(cl)
        if m:
            mods, keyword = m.group(1), m.group(2)
            explicit = re.search(r'\b(public|open)\b(?!\()', mods) is not None
            parent = scopes[-1] if scopes and scopes[-1][2] == d else None
            implied = False
            if parent and parent[1] and not RESTRICTED.search(mods):
                if parent[0] == 'protocol' and keyword != 'case':
                    implied = True
                elif parent[0] == 'enum' and keyword == 'case':
                    implied = True
                elif parent[0] == 'extension' and keyword not in ('case', 'extension', 'deinit'):
                    implied = True
            public = explicit or implied
            if public and keyword != 'extension' and keyword != 'deinit':
                found.append((no, src.strip()))
            pending = (keyword, public) if keyword in SCOPES else ('other', False)
        # a scope's body starts at the first '{' after its declaration
        if pending is not None and '{' in cl:
            opened = d + cl.count('{') - cl.count('}')
            if opened > d:
                scopes.append((pending[0], pending[1], d + 1))
            pending = None
    missing = []
    for no, decl in found:
        j = no - 1
        while j >= 0 and ATTRIBUTE_ONLY.match(code[j]) and raw[j].strip().startswith('@'):
            j -= 1
        above = raw[j].strip() if j >= 0 else ''
        if not (above.startswith('///') or above.endswith('*/')):
            missing.append((no + 1, decl))
    return len(found), missing


total = documented = 0
report = []
for root in sys.argv[1:]:
    files = [root] if root.endswith('.swift') else sorted(
        os.path.join(dp, f) for dp, _, fs in os.walk(root) for f in fs if f.endswith('.swift'))
    for path in files:
        count, missing = check(path)
        total += count
        documented += count - len(missing)
        report += [f'{path}:{no}: {decl}' for no, decl in missing]
if os.environ.get('SUMMARY') != '1':
    for line in report:
        print(line)
print(f'documented {documented} of {total} public declarations'
      + (f' ({total - documented} missing)' if report else ''), file=sys.stderr)
sys.exit(1 if report else 0)
PY
