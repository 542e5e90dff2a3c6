#!/usr/bin/env bash
# test/free-port.sh: print a TCP port on 127.0.0.1 that nothing listens on,
# for a throwaway cluster (pg_virtualenv -c "-p PORT"), so the test scripts
# do not collide with a server that already runs on this machine.
for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
       [ ! -e "/var/run/postgresql/.s.PGSQL.$port" ]; then
        echo "$port"
        exit 0
    fi
done
echo "no free port found" >&2
exit 1
