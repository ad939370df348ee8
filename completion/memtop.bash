# bash completion for memtop(1)                             -*- shell-script -*-
#
# Installed as share/bash-completion/completions/memtop; works with or
# without the bash-completion package (source it from ~/.bashrc otherwise).

_memtop_options='-b --batch --json -p --pid -u --user -n --iterations
-d --delay -s --sort -r --reverse -C --no-color --no-colour
--omit-file-backed --omit-unfaulted-vmas --kernel-threads --max-order
--no-pfns --no-folios --smaps --pagemap-method --cpu-limit --full-scans --proc-root
--sys-root --collapse --read-only --record --record-append --record-max
--replay --begin --diff
--no-config --prometheus --prometheus-file --top --demo -h --help
-V --version'

_memtop_sort_keys='hist pid rss pmd thp comm user swap'
_memtop_methods='auto scan pread'

# Candidates for one element of a comma-separated pid list.
_memtop_pids()
{
	local cur=$1 head= tail=$1 p
	if [[ $cur == *,* ]]; then
		head=${cur%,*},
		tail=${cur##*,}
	fi
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[[ $p == "$tail"* ]] && printf '%s\n' "$head$p"
	done
}

_memtop()
{
	local cur prev cword=$COMP_CWORD
	cur=${COMP_WORDS[cword]}
	prev=${COMP_WORDS[cword - 1]:-}
	COMPREPLY=()
	# "--sort=r" arrives as "--sort" "=" "r" when '=' breaks words (the
	# default), as one word otherwise: then the answers keep the prefix
	if [[ $cur == = ]]; then
		cur=
	elif [[ $prev == = && $cword -ge 2 ]]; then
		prev=${COMP_WORDS[cword - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
		_memtop_values "$prev" "$cur"
		COMPREPLY=("${COMPREPLY[@]/#/$prev=}")
		return
	fi
	_memtop_values "$prev" "$cur" && return
	if [[ $cur == -* || -z $cur ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_memtop_options" -- "$cur")
	fi
}

# Values of option $1 starting with $2 into COMPREPLY; false when $1 takes
# no value.
_memtop_values()
{
	local prev=$1 cur=$2
	case $prev in
	-s | --sort)
		mapfile -t COMPREPLY < <(compgen -W "$_memtop_sort_keys" -- "$cur")
		return 0
		;;
	--pagemap-method)
		mapfile -t COMPREPLY < <(compgen -W "$_memtop_methods" -- "$cur")
		return 0
		;;
	-p | --pid)
		mapfile -t COMPREPLY < <(_memtop_pids "$cur")
		return 0
		;;
	--collapse)
		# one pid (an address range may follow a colon)
		[[ $cur == *:* || $cur == *,* ]] && return 0
		mapfile -t COMPREPLY < <(_memtop_pids "$cur")
		return 0
		;;
	-u | --user)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur")
		return 0
		;;
	--proc-root | --sys-root)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0
		;;
	--prometheus-file | --record | --replay | --diff)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	-n | --iterations | -d | --delay | --max-order | --top | --cpu-limit | \
		--record-max | --begin)
		# a number: nothing to offer
		return 0
		;;
	esac
	return 1
}

complete -F _memtop memtop

# ex: filetype=sh
