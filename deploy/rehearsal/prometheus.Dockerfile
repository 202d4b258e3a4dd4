# A stand-in for prom/prometheus (deploy/rehearse-compose.sh makes it where no image registry is
# reachable): Debian bookworm's prometheus package (2.42) on the debian:bookworm-slim stand-in, laid
# out as the official image is: /bin/prometheus and /bin/promtool, the config at
# /etc/prometheus/prometheus.yml, data in /prometheus (a volume), user nobody, port 9090.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /prometheus /etc/prometheus \
 && chown -R nobody:nogroup /prometheus /etc/prometheus
ARG STAND_IN=
LABEL org.gpu-mesh.rehearsal.stand-in=${STAND_IN}
USER nobody
WORKDIR /prometheus
VOLUME /prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
