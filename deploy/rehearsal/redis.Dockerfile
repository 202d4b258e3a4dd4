# A stand-in for redis:7 (deploy/rehearse-compose.sh makes it where no image registry is reachable):
# Debian bookworm's redis-server (7.0) on the debian:bookworm-slim stand-in, behaving as the official
# image does where docker-compose.yml relies on it: `redis-server` and `redis-cli` on PATH, data in
# /data (the working directory, a volume), protected mode off (the compose network reaches it; it
# publishes no port), runs as user redis, redis-server as PID 1 (SIGTERM saves and exits 0).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ARG STAND_IN=
LABEL org.gpu-mesh.rehearsal.stand-in=${STAND_IN}
VOLUME /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["redis-server"]
