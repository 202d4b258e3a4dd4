# A stand-in for node:22-bookworm-slim (deploy/rehearse-compose.sh makes it where no image registry is
# reachable): the debian:bookworm-slim stand-in plus this machine's Node binary (>= 20, what
# package.json's engines asks) and its npm, where the official image has them (/usr/local).
# The build context is assembled by the script: node, npm/ (the host's npm package), extra-ca.pem (the
# machine's locally added CA certificates, for npm through an intercepting proxy; may be empty).
FROM debian:bookworm-slim
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY extra-ca.pem /usr/local/share/ca-certificates/node-extra-ca.pem
ARG NODE_EXTRA_CA_CERTS=
ARG STAND_IN=
ENV NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS}
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
LABEL org.gpu-mesh.rehearsal.stand-in=${STAND_IN}
CMD ["node"]
