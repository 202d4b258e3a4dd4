# A stand-in for axllent/mailpit (deploy/rehearse-compose.sh makes it where no image registry is
# reachable): mailpit.mjs, an SMTP sink on 1025 with mailpit's message API on 8025, on the
# node:22-bookworm-slim stand-in. The build context (assembled by the script) holds mailpit.mjs and
# node_modules/ with `smtp-server` and its dependencies, copied from this project's node_modules.
FROM node:22-bookworm-slim
WORKDIR /mailpit
COPY node_modules ./node_modules
COPY mailpit.mjs ./mailpit.mjs
ARG STAND_IN=
LABEL org.gpu-mesh.rehearsal.stand-in=${STAND_IN}
USER node
EXPOSE 1025 8025
ENTRYPOINT ["node", "/mailpit/mailpit.mjs"]
