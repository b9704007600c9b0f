# The Agora image: the `agora` server and the `agora-worker` binary, with the shipped courses.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p agora-api -p agora-worker

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl fonts-liberation2 fonts-noto-core fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
RUN useradd --system --home /var/lib/agora agora && mkdir -p /var/lib/agora && chown agora /var/lib/agora
COPY --from=build /src/target/release/agora /src/target/release/agora-worker /usr/local/bin/
COPY --from=build /src/courses /usr/share/agora/courses
USER agora
WORKDIR /var/lib/agora
ENV AGORA_DATA_DIR=/var/lib/agora AGORA_COURSES_DIR=/usr/share/agora/courses AGORA_BIND=0.0.0.0:8080
EXPOSE 8080
CMD ["agora", "serve"]
