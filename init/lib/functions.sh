# The few helpers of OpenWrt's /lib/functions.sh that rc.common itself uses (for init/rc-runner).
# UCI helpers (config_load, config_get...) are not provided: mwan's init script does not use them.

# list_contains VAR WORD: is WORD one of the space-separated words in $VAR?
list_contains() {
	local var="$1"
	local str="$2"
	local val

	eval "val=\" \${$var} \""
	[ "${val%% $str *}" != "$val" ]
}
