# Reads ThreadSanitizer's reports (a test's output) and prints each data
# race cut down to what an attendee needs: for each of the two accesses,
# read or write, which thread, whether it held a lock, and the first line of
# the attendee's own chapter files (chapters/NN_topic/...) on its stack. The
# same race (the same two lines of code) seen again is printed once. The full reports stay in the log;
# this is where to look first.
#
#   awk -f runner/tsan-in-your-code.awk build/dev-tsan/last-check.log

function flush_access() {
    if (kind == "") return
    where = (mine != "") ? mine : "(not in your files; first frame: " first ")"
    race = race sprintf("    %-6s %s\n           by %s%s\n", kind, where, thread,
                        (locked ? ", holding a lock" : ", holding no lock"))
    key = key kind " " where "\n"  # the same two lines of code, whichever threads
    kind = ""; mine = ""; named = ""; first = ""; locked = 0
}

function flush_race() {
    flush_access()
    if (race != "" && !(key in seen)) {
        seen[key] = 1
        shown++
        if (shown <= 3) printf "  A data race (%d):\n%s", shown, race
    }
    race = ""; key = ""
}

/WARNING: ThreadSanitizer: data race/ { flush_race(); in_race = 1; next }
/^SUMMARY: ThreadSanitizer/ || /^==================/ { flush_race(); in_race = 0; next }

in_race && /^  (Previous )?(Atomic )?(read|write|Read|Write) of size/ {
    flush_access()
    kind = tolower($0)
    sub(/ of size.*/, "", kind)
    kind = (kind ~ /write/) ? "write" : "read"
    thread = $0
    sub(/.* by /, "", thread)
    sub(/( \(mutexes:.*)?:$/, "", thread)
    locked = ($0 ~ /mutexes:/)
    next
}
in_race && kind != "" && /^ +#[0-9]+ / {
    line = $0
    sub(/^ +#[0-9]+ /, "", line)
    if (first == "") first = line
    if (match(line, /chapters\/[0-9][0-9]_[^ :]+:[0-9]+/)) {
        file = substr(line, RSTART, RLENGTH)
        function_name = line
        sub(/ \/.*$/, "", function_name)
        # The innermost line of the attendee's files is where; the first
        # named function around it (not a lambda's operator()) is in what.
        if (mine == "") { mine = file; named = "" }
        if (named == "" && function_name != "operator()") { named = function_name; mine = mine "  in " named }
    }
    next
}
in_race && /^$/ { flush_access() }

END {
    flush_race()
    if (shown > 3) printf "  ... and %d more (the whole reports are in the log)\n", shown - 3
    if (shown == 0) exit 1
}
