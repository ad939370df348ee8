#!/bin/bash
# t_install.sh - make install / make uninstall, the man page and the bash
# completion.
#
# Checked:
#  - make install DESTDIR=... PREFIX=/usr puts exactly the binary, the man
#    page, the README and the completion under DESTDIR (nothing else, modes
#    0755/0644), and the installed binary runs and prints the version;
#    PREFIX defaults to /usr/local; GZIP_MAN=1 installs a reproducible
#    memtop.1.gz (gzip -n: no name, no time stamp);
#  - make uninstall removes every file it installed, twice in a row too;
#  - memtop.1 formats without a single groff warning (-ww), and man -l
#    renders it; it documents every option of memtop --help, every key and
#    column of the viewer (from the binding and column tables in src/ui/),
#    and the environment variables memtop reads;
#  - completion/memtop.bash is valid bash, offers every option of --help,
#    the sort keys after -s (rss among them), the pagemap methods, pids,
#    users and directories, with and without '=' as a word break.
# Nothing is installed outside a temporary directory.
set -u
. "$(dirname "$0")/lib.sh"

need_cmd make "$PYTHON"
[ -x "$MEMTOP" ] || { echo "FAIL: $SUITE: $MEMTOP is not built"; exit 1; }
mktemp_dir
ROOT=$MEMTOP_ROOT
VERSION=$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile")

mk() { make -C "$ROOT" --no-print-directory "$@"; }

# ---- make install / uninstall ----------------------------------------------

D=$T/destdir
if mk install DESTDIR="$D" PREFIX=/usr >"$T/install.log" 2>&1; then
	ok "make install DESTDIR PREFIX=/usr"
else
	bad "make install failed: $(tail -5 "$T/install.log")"
	finish
fi
want=$(printf '%s\n' /usr/bin/memtop /usr/share/bash-completion/completions/memtop \
	/usr/share/doc/memtop/README.md /usr/share/man/man1/memtop.1 | sort)
got=$(cd "$D" && find . ! -type d | sed 's/^\.//' | sort)
check "exactly the four files are installed (got: $(echo $got))" \
	test "$got" = "$want"
check "binary mode 0755" test "$(stat -c %a "$D/usr/bin/memtop")" = 755
for f in usr/share/man/man1/memtop.1 usr/share/doc/memtop/README.md \
	usr/share/bash-completion/completions/memtop; do
	check "$f mode 0644" test "$(stat -c %a "$D/$f")" = 644
done
check "installed binary prints its version" \
	test "$("$D/usr/bin/memtop" -V)" = "memtop $VERSION"
check "installed man page is memtop.1" cmp -s "$D/usr/share/man/man1/memtop.1" \
	"$ROOT/memtop.1"
check "installed completion is completion/memtop.bash" \
	cmp -s "$D/usr/share/bash-completion/completions/memtop" \
	"$ROOT/completion/memtop.bash"

if mk uninstall DESTDIR="$D" PREFIX=/usr >"$T/uninstall.log" 2>&1; then
	ok "make uninstall"
else
	bad "make uninstall failed: $(tail -5 "$T/uninstall.log")"
fi
left=$(cd "$D" && find . ! -type d)
check "uninstall removes every file (left: ${left:-nothing})" test -z "$left"
check "uninstall removes the doc directory" test ! -e "$D/usr/share/doc/memtop"
if mk uninstall DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1; then
	ok "uninstall again succeeds"
else
	bad "uninstall of nothing fails"
fi

D2=$T/default
mk install DESTDIR="$D2" >"$T/install2.log" 2>&1 || bad "make install (default PREFIX)"
check "PREFIX defaults to /usr/local" test -x "$D2/usr/local/bin/memtop"
mk uninstall DESTDIR="$D2" >/dev/null 2>&1
check "... and uninstall finds it there" test ! -e "$D2/usr/local/bin/memtop"

if command -v gzip >/dev/null; then
	for n in 1 2; do
		mk install DESTDIR="$T/gz$n" PREFIX=/usr GZIP_MAN=1 \
			>"$T/gz.log" 2>&1 || bad "make install GZIP_MAN=1"
		sleep 1 # a time stamp in the gzip header would now differ
	done
	gz=$T/gz1/usr/share/man/man1/memtop.1.gz
	check "GZIP_MAN=1 installs memtop.1.gz only" \
		test -f "$gz" -a ! -e "$T/gz1/usr/share/man/man1/memtop.1"
	check "memtop.1.gz holds memtop.1" \
		bash -c "gzip -dc '$gz' | cmp -s - '$ROOT/memtop.1'"
	check "memtop.1.gz is reproducible (gzip -n)" \
		cmp -s "$gz" "$T/gz2/usr/share/man/man1/memtop.1.gz"
	mk uninstall DESTDIR="$T/gz1" PREFIX=/usr >/dev/null 2>&1
	check "uninstall removes memtop.1.gz" test ! -e "$gz"
else
	part_skip "gzip not installed"
fi

# ---- the man page ----------------------------------------------------------

MAN=$ROOT/memtop.1
if command -v groff >/dev/null; then
	groff -man -Tutf8 -ww -z "$MAN" >"$T/groff.out" 2>&1
	rc=$?
	check "groff -ww: no warnings (rc $rc: $(head -3 "$T/groff.out"))" \
		test "$rc" -eq 0 -a ! -s "$T/groff.out"
	LC_ALL=C.UTF-8 groff -man -Tutf8 -rHY=0 "$MAN" 2>/dev/null |
		sed 's/\x1b\[[0-9;]*m//g; s/.\x08//g' >"$T/man.txt"
	check "the page renders" test -s "$T/man.txt"
	if command -v man >/dev/null; then
		MANWIDTH=80 man --warnings -l "$MAN" >/dev/null 2>"$T/man.err"
		rc=$?
		check "man -l renders it without warnings (rc $rc: $(head -3 "$T/man.err"))" \
			test "$rc" -eq 0 -a ! -s "$T/man.err"
	else
		part_skip "man not installed"
	fi
	# Every option of --help, every key and column of the viewer, every
	# variable memtop reads: all in the page.
	"$MEMTOP" --help >"$T/help.txt"
	"$PYTHON" - "$T/man.txt" "$T/help.txt" "$ROOT/src/ui" "$ROOT/src" "$MAN" \
		>"$T/doc.out" 2>&1 <<'EOF'
import glob, re, sys
man = open(sys.argv[1]).read()
roff = open(sys.argv[5]).read()
helptext = open(sys.argv[2]).read()
ui, src = sys.argv[3], sys.argv[4]
missing = []
checked = 0

def section(title):
    m = re.search(r'^%s\n(.*?)(?=^\S)' % re.escape(title), man, re.M | re.S)
    return m.group(1) if m else ''

def need(what, text, where):
    global checked
    checked += 1
    if not re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(what), text):
        missing.append('%s (%s)' % (what, where))

def roff_tags(start, end=r'^\.S[HS] '):
    # The tags of the .TP/.TQ paragraphs of memtop.1 between a line
    # matching start and the next one matching end, as plain text:
    # the tag line .BR F6 ", " < reads "F6, <" and gives "F6, <", "F6"
    # and "<".
    m = re.search(start, roff, re.M)
    if not m:
        return set()
    block = roff[m.end():]
    e = re.search(end, block, re.M)
    lines = (block[:e.start()] if e else block).split('\n')
    out = set()
    for i, l in enumerate(lines[:-1]):
        if l not in ('.TP', '.TQ'):
            continue
        t = lines[i + 1]
        mm = re.match(r'\.(B|BR|BI|I|IR|RB)\s+(.*)', t)
        if mm:
            # .B and .I join their words with spaces, the alternating
            # macros (.BR ...) without
            sep = ' ' if mm.group(1) in ('B', 'I') else ''
            t = sep.join(bare or quoted for quoted, bare in
                         re.findall(r'"([^"]*)"|(\S+)', mm.group(2)))
        for a, b in (('\\-', '-'), ('\\e', '\\'), ('\\fB', ''),
                     ('\\fI', ''), ('\\fR', ''), ('\\~', ' ')):
            t = t.replace(a, b)
        out.add(t)
        out.update(x.strip() for x in t.split(','))
    return out

def need_tag(what, tagset, where):
    global checked
    checked += 1
    if what not in tagset:
        missing.append('%s (%s)' % (what, where))

opts = set(re.findall(r'(?<![\w-])(--[a-z][a-z-]+|-[a-zA-Z])\b', helptext))
for o in sorted(opts):
    need(o, section('OPTIONS'), 'option')

keys_c = ''.join(open(f).read() for f in glob.glob(ui + '/keys.c'))
tables = re.findall(r'ui_bindings\[\]\s*=\s*\{(.*?)\n\};', keys_c, re.S)
if not tables:
    missing.append('no ui_bindings table found in src/ui/keys.c')
key_tags = roff_tags(r'^\.SS Keys$')
if not key_tags:
    missing.append('no Keys subsection')
for row in re.findall(r'\{\s*"((?:[^"\\]|\\.)*)",', tables[0] if tables else ''):
    for k in row.encode().decode('unicode_escape').split():
        need_tag(k, key_tags, 'key')

layout = ''.join(open(f).read() for f in glob.glob(ui + '/*.c'))
col_tags = roff_tags(r'^\.SH THE VIEWER$', r'^\.SH ')
for t in re.findall(r'\{\s*UI_COL_\w+,\s*"([^"]+)"', layout):
    need_tag(t, col_tags, 'column')

for var in sorted(set(re.findall(r'getenv\("([A-Z_]+)"\)',
        ''.join(open(f).read() for f in glob.glob(src + '/**/*.c',
                                                  recursive=True))))):
    need(var, section('ENVIRONMENT'), 'environment')

for view in ('present', 'mappable', 'folios'):
    need(view, section('VIEWS'), 'view')
for f in ('/proc/PID/maps', '/proc/PID/pagemap', '/proc/PID/status',
          '/proc/PID/smaps', '/proc/kpageflags',
          '/sys/kernel/mm/transparent_hugepage/'):
    need(f, section('FILES'), 'file')
for s in ('EXIT STATUS', 'PRIVILEGES', 'SETTINGS FILE', 'WHAT THE NUMBERS MEAN'):
    need(s, man, 'section')

print('%d items checked' % checked)
if missing:
    print('missing from memtop.1: ' + ', '.join(missing))
    sys.exit(1)
EOF
	rc=$?
	check "memtop.1 documents every option, key, column, variable ($(tail -1 "$T/doc.out"))" \
		test "$rc" -eq 0
else
	part_skip "groff not installed"
fi

# ---- bash completion -------------------------------------------------------

COMP=$ROOT/completion/memtop.bash
check "bash -n completion/memtop.bash" bash -n "$COMP"
# complete WORDS...: what the completion offers for the last word
complete_words() {
	bash --norc --noprofile -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_memtop memtop "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP" "$@"
}
has() { # has WORD OUTPUT
	grep -qxF -- "$1" <<<"$2"
}
out=$(complete_words memtop -s "")
check "memtop -s <Tab> offers rss" has rss "$out"
for k in hist pid rss pmd thp comm user swap; do
	check "memtop -s <Tab> offers $k" has "$k" "$out"
done
check "memtop -s r<Tab> offers only rss" \
	test "$(complete_words memtop -s r)" = rss
check "memtop --sort = r<Tab> (split at '=') offers rss" \
	test "$(complete_words memtop --sort = r)" = rss
check "memtop --sort=r<Tab> (one word) offers --sort=rss" \
	test "$(complete_words memtop --sort=r)" = --sort=rss
out=$(complete_words memtop --pagemap-method "")
check "--pagemap-method offers auto scan pread" \
	test "$(echo $out)" = "auto scan pread"
out=$(complete_words memtop -p "$$")
check "-p offers this shell's pid" has "$$" "$out"
out=$(complete_words memtop -p "1,$$")
check "-p completes the last pid of a list" has "1,$$" "$out"
out=$(complete_words memtop -u "$(id -un | cut -c1-2)")
check "-u offers user names" has "$(id -un)" "$out"
mkdir "$T/dir one"
out=$(complete_words memtop --proc-root "$T/dir")
check "--proc-root offers directories (with spaces)" has "$T/dir one" "$out"
check "-d offers nothing" test -z "$(complete_words memtop -d "")"
out=$(complete_words memtop "")
"$MEMTOP" --help | grep -oE -- '(^|[ ,])--?[a-zA-Z][a-z-]*' |
	tr -d ' ,' | sort -u >"$T/help-opts"
missing=""
while read -r o; do
	has "$o" "$out" || missing="$missing $o"
done <"$T/help-opts"
check "every option of --help is offered (missing:${missing:- none})" \
	test -z "$missing"
check "the completion is registered for memtop" \
	bash --norc --noprofile -c ". '$COMP'; complete -p memtop | grep -q _memtop"

finish
