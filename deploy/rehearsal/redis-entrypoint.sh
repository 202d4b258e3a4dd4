#!/bin/sh
# The official redis image's entrypoint, in short: `redis-server …` (or just flags) runs as user
# redis in /data with protected mode off unless the arguments turn it on; anything else runs as given.
set -e
case "$1" in -*) set -- redis-server "$@" ;; esac
if [ "$1" = redis-server ]; then
  shift
  # Flags given later win, so the arguments can turn protected mode on again; a config file must
  # stay the first argument.
  if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    conf=$1
    shift
    set -- redis-server "$conf" --protected-mode no "$@"
  else
    set -- redis-server --protected-mode no "$@"
  fi
  if [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' + 2>/dev/null || true
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi
exec "$@"
