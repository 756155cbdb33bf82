/**
 * library/mysql:8.0.36, played by Debian's MariaDB (mariadb-server, 10.11 on
 * Debian 12): no MySQL 8 server is packaged for Debian, and MariaDB speaks the
 * same protocol to the web's MySQL Connector/J and to the mysql client.
 *
 * What the image's docker-entrypoint.sh does, done here by a short script:
 * on a data folder without a `mysql` system schema it initialises one, starts
 * a server without networking, keeps only root@localhost of the accounts made,
 * sets the root password (root@localhost and
 * root@'%', as MYSQL_ROOT_HOST's default `%` gives), creates MYSQL_DATABASE
 * and MYSQL_USER/MYSQL_PASSWORD with every privilege on it, stops that server,
 * then runs the server in the foreground on port 3306. The image's my.cnf
 * sets skip-name-resolve, and so does the script. The socket sits at the
 * image's /var/run/mysqld/mysqld.sock, where the client's default finds it
 * (the liveness probe's `mysqladmin ping` uses that default).
 *
 * Departures: MariaDB rather than MySQL 8; the server runs as root
 * (`--user=root`; the image drops to its mysql user with gosu); only the
 * MYSQL_* variables the rendered StatefulSet sets are honoured.
 */
import * as fs from "fs";
import * as path from "path";
import type { ImageStandIn } from "../cluster/kubelet";
import { MYSQL_DATA_DIR, PORTS } from "../../../sdk/server/constants";

/** Where the image keeps its socket (and the Debian client's default). */
const SOCKET_DIR = "/run/mysqld";
const SOCKET = `${SOCKET_DIR}/mysqld.sock`;
/** The entrypoint, in a folder of its own (a file bound at the image's /usr/local/bin would leave a mount point there). */
const BIN = "/mysql-image-bin";

/** The entrypoint script, over mariadb-install-db and mariadbd. */
export function mysqlEntrypoint(): string {
  const server = `mariadbd --no-defaults --user=root --datadir="$DATADIR" --socket=${SOCKET} --skip-name-resolve --character-set-server=utf8mb4`;
  return `#!/bin/bash
set -euo pipefail
DATADIR=${MYSQL_DATA_DIR}
: "\${MYSQL_ROOT_PASSWORD:?the image refuses to start without MYSQL_ROOT_PASSWORD}"
if [ ! -d "$DATADIR/mysql" ]; then
  echo "initialising $DATADIR"
  mariadb-install-db --no-defaults --user=root --datadir="$DATADIR" --auth-root-authentication-method=normal --skip-test-db >/dev/null
  ${server} --skip-networking &
  pid=$!
  for i in $(seq 60); do mariadb-admin --socket=${SOCKET} -u root ping >/dev/null 2>&1 && break; sleep 1; done
  sq() { printf "%s" "$1" | sed "s/'/''/g"; }
  mariadb --socket=${SOCKET} -u root <<SQL
DELETE FROM mysql.global_priv WHERE User <> 'mariadb.sys' AND NOT (User = 'root' AND Host = 'localhost');
FLUSH PRIVILEGES;
ALTER USER 'root'@'localhost' IDENTIFIED BY '$(sq "$MYSQL_ROOT_PASSWORD")';
CREATE USER 'root'@'%' IDENTIFIED BY '$(sq "$MYSQL_ROOT_PASSWORD")';
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS \\\`\${MYSQL_DATABASE}\\\`;
CREATE USER '\${MYSQL_USER}'@'%' IDENTIFIED BY '$(sq "$MYSQL_PASSWORD")';
GRANT ALL ON \\\`\${MYSQL_DATABASE}\\\`.* TO '\${MYSQL_USER}'@'%';
FLUSH PRIVILEGES;
SQL
  kill "$pid"; wait "$pid" || true
  echo "MySQL init process done. Ready for start up."
fi
exec ${server} --port=${PORTS.mysql} --bind-address=0.0.0.0
`;
}

/** The image's files for one pod: the entrypoint and the socket folder. */
export function mysqlStandIn(podDir: string): ImageStandIn {
  const bin = path.join(podDir, "mysql-bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "docker-entrypoint.sh"), mysqlEntrypoint());
  fs.chmodSync(path.join(bin, "docker-entrypoint.sh"), 0o755);
  const run = path.join(podDir, "mysqld-run");
  fs.mkdirSync(run, { recursive: true });
  return {
    entrypoint: [`${BIN}/docker-entrypoint.sh`],
    cmd: ["mysqld"],
    mounts: [
      { hostPath: bin, mountPath: BIN, readOnly: true },
      { hostPath: run, mountPath: SOCKET_DIR },
    ],
  };
}
