# procd.sh for init/rc-runner: the procd_* functions init scripts call, building the same
# `ubus call service set|add` messages as OpenWrt's /lib/functions/procd.sh, without jshn.
# Instance parameters are collected in shell variables and turned into JSON when the instance is
# closed, so procd_append_param works. Values are escaped, never evaluated.
#
# Provided: procd_open_service, procd_close_service, procd_open_instance, procd_close_instance,
# procd_set_param, procd_append_param, procd_add_instance, procd_open_trigger,
# procd_close_trigger, procd_add_reload_trigger, procd_add_config_trigger,
# procd_add_raw_trigger, procd_add_interface_trigger, procd_add_reload_interface_trigger,
# procd_add_reload_data_trigger, procd_open_data, procd_close_data, procd_kill,
# procd_send_signal, procd_running, procd_set_config_changed, procd_add_validation (no-op),
# procd_add_jail and procd_add_jail_mount* (accepted, ignored).

PROCD_RELOAD_DELAY=${PROCD_RELOAD_DELAY:-1000}

# ---------------------------------------------------------------------------------------------
# ubus: the bus of UBUS_SOCKET through a ubus-compatible CLI

ubus() {
	if [ -n "$UBUS_CLI" ]; then
		"$UBUS_CLI" -s "${UBUS_SOCKET:-/var/run/ubus/ubus.sock}" "$@"
	else
		"${NODE:-node}" "$RC_RUNNER_DIR/../packages/ubus-ts/bin/ubus-ts.js" -s "${UBUS_SOCKET:-/var/run/ubus/ubus.sock}" "$@"
	fi
}

# ---------------------------------------------------------------------------------------------
# JSON text

# _pj_str VALUE: VALUE as a JSON string literal (quotes included)
_pj_str() {
	printf '"'
	printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/	/\\t/g' | tr -d '\001-\010\013-\037' |
		awk 'BEGIN { ORS = "" } NR > 1 { print "\\n" } { print }'
	printf '"'
}

# _pj_int VALUE: VALUE if it is an integer, else an error
_pj_int() {
	case "$1" in
	'' | *[!0-9-]* | ?*-*)
		echo "procd.sh: \"$1\" is not an integer" >&2
		return 1
		;;
	esac
	printf '%s' "$1"
}

_pj_bool() {
	case "$1" in
	1 | true | on | yes | enabled) printf 'true' ;;
	*) printf 'false' ;;
	esac
}

# _pj_items_array VALUE...: comma-separated string literals
_pj_items_array() {
	local sep=''
	while [ "$#" -gt 0 ]; do
		printf '%s%s' "$sep" "$(_pj_str "$1")"
		sep=','
		shift
	done
}

# _pj_items_table NAME=VALUE...: comma-separated "name":"value" members (procd.sh: no = gives "")
_pj_items_table() {
	local sep='' var val
	while [ -n "$1" ]; do
		var="${1%%=*}"
		val="${1#*=}"
		[ "$1" = "$val" ] && val=
		printf '%s%s:%s' "$sep" "$(_pj_str "$var")" "$(_pj_str "$val")"
		sep=','
		shift
	done
}

_pj_join() {
	if [ -n "$1" ] && [ -n "$2" ]; then printf '%s,%s' "$1" "$2"; else printf '%s%s' "$1" "$2"; fi
}

# ---------------------------------------------------------------------------------------------
# services and instances

procd_open_service() {
	_PROCD_SERVICE="$1"
	_procd_script="$2"
	_procd_instances=''
	_procd_triggers=''
	_procd_data=''
	_PROCD_INSTANCE_SEQ=0
}

procd_close_service() {
	local method="${1:-set}" msg
	service_triggers
	type service_data >/dev/null 2>&1 && service_data
	msg="{\"name\":$(_pj_str "$_PROCD_SERVICE")"
	[ -n "$_procd_script" ] && msg="$msg,\"script\":$(_pj_str "$_procd_script")"
	msg="$msg,\"instances\":{$_procd_instances},\"triggers\":[$_procd_triggers]"
	[ -n "$_procd_data" ] && msg="$msg,\"data\":{$_procd_data}"
	msg="$msg}"
	[ -n "$PROCD_DEBUG" ] && echo "$msg" >&2
	ubus call service "$method" "$msg"
}

# the parameters an instance may have, in the order they are sent
_PROCD_PARAMS='command env data limits respawn netdev file watch watchdog error nice term_timeout reload_signal pidfile user group seccomp capabilities facility extroot overlaydir tmpoverlaysize vrf stdout stderr no_new_privs'

procd_open_instance() {
	_PROCD_INSTANCE_SEQ=$((_PROCD_INSTANCE_SEQ + 1))
	_procd_instance="${1:-instance$_PROCD_INSTANCE_SEQ}"
	local p
	for p in $_PROCD_PARAMS; do
		eval "_procd_p_$p=''; _procd_set_$p=''"
	done
}

# _procd_kind TYPE: how a parameter is encoded (table, array, int, signal, string, bool, error)
_procd_kind() {
	case "$1" in
	env | data | limits) echo table ;;
	command | netdev | file | respawn | watch | watchdog) echo array ;;
	error) echo error ;;
	nice | term_timeout) echo int ;;
	reload_signal) echo signal ;;
	pidfile | user | group | seccomp | capabilities | facility | extroot | overlaydir | tmpoverlaysize | vrf) echo string ;;
	stdout | stderr | no_new_privs) echo bool ;;
	*) echo unknown ;;
	esac
}

# _procd_signum NAME|NUMBER: signal number (busybox `kill -l NAME` is not portable to dash)
_procd_signum() {
	case "${1#SIG}" in
	[0-9]*) echo "$1" ;;
	HUP) echo 1 ;; INT) echo 2 ;; QUIT) echo 3 ;; ILL) echo 4 ;; TRAP) echo 5 ;; ABRT) echo 6 ;;
	BUS) echo 7 ;; FPE) echo 8 ;; KILL) echo 9 ;; USR1) echo 10 ;; SEGV) echo 11 ;; USR2) echo 12 ;;
	PIPE) echo 13 ;; ALRM) echo 14 ;; TERM) echo 15 ;; CHLD) echo 17 ;; CONT) echo 18 ;;
	STOP) echo 19 ;; TSTP) echo 20 ;; WINCH) echo 28 ;;
	*) return 1 ;;
	esac
}

procd_set_param() {
	local type="$1" kind v
	shift
	kind=$(_procd_kind "$type")
	case "$kind" in
	table) v=$(_pj_items_table "$@") ;;
	array) v=$(_pj_items_array "$@") ;;
	error) v=$(_pj_str "$*") ;;
	int) v=$(_pj_int "$1") || return 1 ;;
	signal) v=$(_procd_signum "$1") || { echo "procd.sh: unknown signal $1" >&2; return 1; } ;;
	string) v=$(_pj_str "$1") ;;
	bool) v=$(_pj_bool "$1") ;;
	*) return 0 ;;
	esac
	eval "_procd_p_$type=\$v; _procd_set_$type=1"
}

procd_append_param() {
	local type="$1" kind old new isset v
	shift
	eval "isset=\$_procd_set_$type"
	[ -n "$isset" ] || {
		procd_set_param "$type" "$@"
		return
	}
	kind=$(_procd_kind "$type")
	case "$kind" in
	table) new=$(_pj_items_table "$@") ;;
	array) new=$(_pj_items_array "$@") ;;
	error) new=$(_pj_str "$*") ;;
	*) return 0 ;;
	esac
	eval "old=\$_procd_p_$type"
	v=$(_pj_join "$old" "$new")
	eval "_procd_p_$type=\$v"
}

procd_close_instance() {
	local body='' p kind v isset
	for p in $_PROCD_PARAMS; do
		eval "isset=\$_procd_set_$p; v=\$_procd_p_$p"
		[ -n "$isset" ] || continue
		kind=$(_procd_kind "$p")
		# procd.sh: `procd_set_param respawn` without values means procd's defaults
		[ "$p" = respawn ] && [ -z "$v" ] && v=$(_pj_items_array "${PROCD_RESPAWN_THRESHOLD:-3600}" "${PROCD_RESPAWN_TIMEOUT:-5}" "${PROCD_RESPAWN_RETRY:-5}")
		case "$kind" in
		table) v="{$v}" ;;
		array | error) v="[$v]" ;;
		esac
		body=$(_pj_join "$body" "$(_pj_str "$p"):$v")
	done
	_procd_instances=$(_pj_join "$_procd_instances" "$(_pj_str "$_procd_instance"):{$body}")
}

procd_add_instance() {
	procd_open_instance
	procd_set_param command "$@"
	procd_close_instance
}

# ---------------------------------------------------------------------------------------------
# triggers: [type, script, delay]

procd_open_trigger() { :; }
procd_close_trigger() { :; }

_procd_add_trigger() {
	_procd_triggers=$(_pj_join "$_procd_triggers" "$1")
}

# _procd_run_script ARGS...: the run_script command that runs this init script again. On a
# router procd runs /etc/init.d/NAME; here it runs the runner, with the variables it needs.
_procd_run_script() {
	local items name val
	items=$(_pj_items_array run_script)
	if [ -z "$RC_RUNNER" ]; then
		items=$(_pj_join "$items" "$(_pj_items_array "/etc/init.d/$_PROCD_SERVICE" "$@")")
	else
		items=$(_pj_join "$items" "$(_pj_items_array /usr/bin/env)")
		for name in PATH UBUS_SOCKET UBUS_CLI NODE UCI_CONFIG_DIR RC_RUNNER_PASSENV $RC_RUNNER_PASSENV; do
			case "$name" in
			'' | [0-9]* | *[!A-Za-z0-9_]*) continue ;;
			esac
			eval "val=\${$name-}"
			eval "[ -n \"\${$name+set}\" ]" || continue
			items=$(_pj_join "$items" "$(_pj_str "$name=$val")")
		done
		items=$(_pj_join "$items" "$(_pj_items_array /bin/sh "$RC_RUNNER_DIR/rc-runner" "$(cd "$(dirname "$initscript")" && pwd)/$(basename "$initscript")" "$@")")
	fi
	printf '[%s]' "$items"
}

_procd_delay() {
	[ "$PROCD_RELOAD_DELAY" -gt 0 ] && printf ',%s' "$PROCD_RELOAD_DELAY"
}

# procd_add_config_trigger EVENT PACKAGE ACTION...: run ACTION when PACKAGE's config changes
procd_add_config_trigger() {
	local event="$1" package="$2"
	shift 2
	_procd_add_trigger "[$(_pj_str "$event"),[\"if\",[\"eq\",\"package\",$(_pj_str "$package")],[$(_pj_items_array run_script "$@")]]$(_procd_delay)]"
}

procd_add_reload_trigger() {
	local file
	for file in "$@"; do
		_procd_add_trigger "[\"config.change\",[\"if\",[\"eq\",\"package\",$(_pj_str "$file")],$(_procd_run_script reload)]$(_procd_delay)]"
	done
}

procd_add_interface_trigger() {
	local event="$1" iface="$2"
	shift 2
	_procd_add_trigger "[$(_pj_str "$event"),[\"if\",[\"eq\",\"interface\",$(_pj_str "$iface")],[$(_pj_items_array run_script "$@")]]$(_procd_delay)]"
}

procd_add_reload_interface_trigger() {
	_procd_add_trigger "[\"interface.*\",[\"if\",[\"eq\",\"interface\",$(_pj_str "$1")],$(_procd_run_script reload)]$(_procd_delay)]"
}

procd_add_reload_data_trigger() {
	local name
	for name in "$@"; do
		_procd_add_trigger "[\"service.data.update\",[\"if\",[\"eq\",\"name\",$(_pj_str "$name")],$(_procd_run_script reload)]$(_procd_delay)]"
	done
}

# procd_add_raw_trigger EVENT DELAY ACTION...
procd_add_raw_trigger() {
	local event="$1" delay
	delay=$(_pj_int "$2") || return 1
	shift 2
	_procd_add_trigger "[$(_pj_str "$event"),[[$(_pj_items_array run_script "$@")]],$delay]"
}

procd_add_validation() { :; }
procd_open_validate() { :; }
procd_close_validate() { :; }
procd_add_jail() { :; }
procd_add_jail_mount() { :; }
procd_add_jail_mount_rw() { :; }

# service data: procd_open_data; procd_set_data NAME=VALUE...; procd_close_data
procd_open_data() { :; }
procd_close_data() { :; }
procd_set_data() {
	_procd_data=$(_pj_join "$_procd_data" "$(_pj_items_table "$@")")
}

# ---------------------------------------------------------------------------------------------
# control

procd_kill() {
	local msg="{\"name\":$(_pj_str "$1")"
	[ -n "$2" ] && msg="$msg,\"instance\":$(_pj_str "$2")"
	ubus call service delete "$msg}"
}

procd_send_signal() {
	local msg="{\"name\":$(_pj_str "$1")" sig
	[ -n "$2" ] && [ "$2" != "*" ] && msg="$msg,\"instance\":$(_pj_str "$2")"
	if [ -n "$3" ]; then
		sig=$(_procd_signum "$3") || return 1
		msg="$msg,\"signal\":$sig"
	fi
	ubus call service signal "$msg}"
}

# procd_running SERVICE [INSTANCE]: true when the instance (or any instance) runs
procd_running() {
	ubus call service list "{\"name\":$(_pj_str "$1")}" 2>/dev/null | awk -v want="$2" '
		/^\t\t\t"[^"]*": \{$/ { inst = $1; gsub(/[":]/, "", inst) }
		/"running": true/ { if (want == "" || inst == want) found = 1 }
		END { exit found ? 0 : 1 }'
}

# procd_set_config_changed PACKAGE: what reload_config sends for a changed package
procd_set_config_changed() {
	ubus call service event "{\"type\":\"config.change\",\"data\":{\"package\":$(_pj_str "$1")}}"
}
