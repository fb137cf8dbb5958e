# The roles of setup/install: what each piece of the cluster needs on a node. Sourced, not run.
# shellcheck shell=bash disable=SC2153 # NODE, CLUSTER and the other settings are set by setup/install
#
# Set by setup/install from cluster.conf: NODES (array of addresses, ids 1..n in this order), NODE (this node),
# NODE_ID, CLUSTER, ENVIRONMENT, MARATHON_USER, SUBSCRIBER_PORT, BACKEND; HERE (setup/), REPO (the repository).

zk_hosts() {
  local node out=""
  for node in "${NODES[@]}"; do out="$out${out:+,}$node:2181"; done
  echo "$out"
}

urls() { # urls PORT: http://NODE:PORT for every node, comma-separated
  local node out=""
  for node in "${NODES[@]}"; do out="$out${out:+, }http://$node:$1"; done
  echo "$out"
}

unit() { # unit NAME: installs setup/systemd/NAME
  ensure_copy "$HERE/systemd/$1" "/etc/systemd/system/$1" 644 root:root
}

# secrets: the cluster's shared secrets, made once (on the first node) and then copied to every node.
SECRETS_PLANNED=0
role_secrets() {
  if [ -f "$ROOT$SECRETS" ]; then
    note ok "$SECRETS"
    return
  fi
  # A dry run makes no file; the roles after it plan with placeholders.
  [ "$DRY_RUN" -eq 1 ] && SECRETS_PLANNED=1
  # 24 random bytes, base64 without '/' and '+': safe in env files, URLs and YAML.
  local token password registration
  token=$(head -c 24 /dev/urandom | base64 | tr '/+' '_-')
  password=$(head -c 24 /dev/urandom | base64 | tr '/+' '_-')
  registration=$(head -c 24 /dev/urandom | base64 | tr '/+' '_-')
  ensure_file "$SECRETS" 600 root:root <<EOF
# mdo cluster secrets, made by setup/install secrets. The same file belongs on every node (copy it as root, mode 600).
MARATHON_PASSWORD=$password
MDO_SUBSCRIBER_TOKEN=$token
MDO_REGISTRATION_SECRET=$registration
EOF
  [ "$DRY_RUN" -eq 1 ] || echo "  -> copy $SECRETS to the same path on every other node before their roles run"
}

require_secrets() {
  [ "$SECRETS_PLANNED" -eq 1 ] && return
  [ -f "$ROOT$SECRETS" ] || fail "no $SECRETS: run \`setup/install secrets\` on one node and copy the file to this one"
  local key
  for key in MARATHON_PASSWORD MDO_SUBSCRIBER_TOKEN MDO_REGISTRATION_SECRET; do
    grep -q "^$key=." "$ROOT$SECRETS" || fail "$SECRETS has no $key"
  done
}

secret() { # secret KEY: its value in the secrets file
  if [ "$SECRETS_PLANNED" -eq 1 ]; then echo "<$1 from $SECRETS>"; return; fi
  sed -n "s/^$1=//p" "$ROOT$SECRETS" | head -1
}

role_zookeeper() {
  # ZooKeeper logs through SLF4J; these give it a binding and log4j (Debian's zookeeper brings neither).
  ensure_packages zookeeper libslf4j-java liblog4j1.2-java
  ensure_user zookeeper /var/lib/zookeeper
  ensure_dir /etc/zookeeper/mdo 755 root:root
  ensure_dir /var/lib/zookeeper 750 zookeeper:zookeeper
  ensure_dir /var/lib/zookeeper/mdo 750 zookeeper:zookeeper
  local node i=0 servers=""
  for node in "${NODES[@]}"; do
    i=$((i + 1))
    servers="$servers${servers:+$'\n'}server.$i=$node:2888:3888"
  done
  ensure_file /etc/zookeeper/mdo/zoo.cfg 644 root:root <<EOF
# ZooKeeper for Mesos and Marathon, written by setup/install zookeeper from cluster.conf.
tickTime=2000
initLimit=10
syncLimit=5
dataDir=/var/lib/zookeeper/mdo
clientPortAddress=$NODE
clientPort=2181
quorumListenOnAllIPs=false
admin.enableServer=false
autopurge.snapRetainCount=5
autopurge.purgeInterval=24
$servers
EOF
  ensure_file /var/lib/zookeeper/mdo/myid 644 zookeeper:zookeeper <<<"$NODE_ID"
  ensure_file /etc/zookeeper/mdo/log4j.properties 644 root:root <<'EOF'
# ZooKeeper logs to stdout, which journald keeps (journalctl -u zookeeper).
log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%-5p [%t:%C{1}@%L] - %m%n
EOF
  unit zookeeper.service
  ensure_enabled zookeeper.service
}

role_etcd() {
  ensure_packages etcd-server etcd-client
  ensure_user etcd /var/lib/etcd
  ensure_dir /var/lib/etcd 700 etcd:etcd
  local node i=0 cluster=""
  for node in "${NODES[@]}"; do
    i=$((i + 1))
    cluster="$cluster${cluster:+,}etcd$i=http://$node:2380"
  done
  ensure_file /etc/default/etcd 644 root:root <<EOF
# etcd member $NODE_ID of ${#NODES[@]}, written by setup/install etcd from cluster.conf. Clients: every node's :2379.
ETCD_NAME=etcd$NODE_ID
ETCD_DATA_DIR=/var/lib/etcd/mdo
ETCD_LISTEN_PEER_URLS=http://$NODE:2380
ETCD_LISTEN_CLIENT_URLS=http://$NODE:2379,http://127.0.0.1:2379
ETCD_ADVERTISE_CLIENT_URLS=http://$NODE:2379
ETCD_INITIAL_ADVERTISE_PEER_URLS=http://$NODE:2380
ETCD_INITIAL_CLUSTER=$cluster
ETCD_INITIAL_CLUSTER_STATE=new
ETCD_INITIAL_CLUSTER_TOKEN=$CLUSTER-etcd
EOF
  unit etcd.service
  ensure_enabled etcd.service
}

# Mesos has no Debian 12 package: mesos-master and mesos-agent are expected in /usr/sbin (see setup/README.md).
require_binary() {
  if [ -x "$ROOT$1" ]; then
    note ok "$1"
  elif [ -n "$ROOT" ]; then
    note skip "$1 (not under --root; the unit needs it at start)"
  else
    fail "$1 is missing: $2"
  fi
}

role_mesos_master() {
  require_binary /usr/sbin/mesos-master "install Mesos 1.11 (setup/README.md, 'Mesos and Marathon')"
  ensure_user mesos /var/lib/mesos
  ensure_dir /var/lib/mesos 755 root:root
  ensure_dir /var/lib/mesos/master 750 mesos:mesos
  ensure_file /etc/default/mesos-master 644 root:root <<EOF
# Mesos master $NODE_ID of ${#NODES[@]}, written by setup/install mesos-master (Mesos reads MESOS_<FLAG>).
MESOS_ZK=zk://$(zk_hosts)/mesos
MESOS_QUORUM=$(( ${#NODES[@]} / 2 + 1 ))
MESOS_WORK_DIR=/var/lib/mesos/master
MESOS_IP=$NODE
MESOS_HOSTNAME=$NODE
MESOS_CLUSTER=$CLUSTER
EOF
  unit mesos-master.service
  ensure_enabled mesos-master.service
}

role_mesos_agent() {
  require_binary /usr/sbin/mesos-agent "install Mesos 1.11 (setup/README.md, 'Mesos and Marathon')"
  ensure_packages docker.io
  ensure_dir /var/lib/mesos 755 root:root
  ensure_dir /var/lib/mesos/agent 750 root:root
  ensure_file /etc/default/mesos-agent 644 root:root <<EOF
# Mesos agent on $NODE, written by setup/install mesos-agent: Docker tasks run with Docker (Mesos reads MESOS_<FLAG>).
MESOS_MASTER=zk://$(zk_hosts)/mesos
MESOS_CONTAINERIZERS=docker,mesos
MESOS_WORK_DIR=/var/lib/mesos/agent
MESOS_IP=$NODE
MESOS_HOSTNAME=$NODE
MESOS_EXECUTOR_REGISTRATION_TIMEOUT=5mins
EOF
  unit mesos-agent.service
  ensure_enabled mesos-agent.service
}

role_marathon() {
  require_secrets
  require_binary /opt/marathon/bin/marathon "unpack Marathon 1.11 into /opt/marathon (setup/README.md, 'Mesos and Marathon')"
  ensure_user marathon /var/lib/marathon
  ensure_dir /etc/marathon 755 root:root
  ensure_file /etc/default/marathon 644 root:root <<EOF
# Marathon on $NODE, written by setup/install marathon (Marathon reads MARATHON_<FLAG>). Leader election in ZooKeeper.
MARATHON_MASTER=zk://$(zk_hosts)/mesos
MARATHON_ZK=zk://$(zk_hosts)/marathon
MARATHON_HOSTNAME=$NODE
MARATHON_HTTP_ADDRESS=$NODE
MARATHON_HTTP_PORT=8080
MARATHON_ENABLE_FEATURES=task_killing
MESOS_NATIVE_JAVA_LIBRARY=/usr/lib/libmesos.so
JAVA_OPTS=-Xmx1g
EOF
  # systemd reads it as root and hands the value to Marathon: no other user may read the file.
  ensure_file /etc/marathon/credentials.env 600 root:root <<EOF
# Basic auth for Marathon's API (user $MARATHON_USER), from $SECRETS. Written by setup/install marathon.
MARATHON_HTTP_CREDENTIALS=$MARATHON_USER:$(secret MARATHON_PASSWORD)
EOF
  unit marathon.service
  ensure_enabled marathon.service
}

# mdo itself in /opt/mdo, laid out like the repository (bin/ scripts, MODULE/target/ jars), from this checkout's build.
install_mdo() {
  local module jar stage
  stage=$(mktemp -d)
  for module in guestutils subscriber launcher updater framework; do
    jar=$(find "$REPO/$module/target" -maxdepth 1 -name "mdo-$module-*.jar" ! -name '*-sources.jar' ! -name '*-tests.jar' 2>/dev/null | head -1)
    if [ -z "$jar" ] || [ ! -d "$REPO/$module/target/lib" ]; then
      fail "mdo is not built: run ./mvnw -B -q -DskipTests package in $REPO first"
    fi
    mkdir -p "$stage/$module/lib"
    cp "$jar" "$stage/$module/"
    cp "$REPO/$module/target/lib/"*.jar "$stage/$module/lib/"
  done
  ensure_user mdo /nonexistent
  ensure_dir /opt/mdo 755 root:root
  ensure_copy "$REPO/README.md" /opt/mdo/README.md 644 root:root
  ensure_dir /opt/mdo/bin 755 root:root
  for module in guestutils subscriber launcher updater framework; do
    ensure_copy "$REPO/bin/$module" "/opt/mdo/bin/$module" 755 root:root
    ensure_dir "/opt/mdo/$module" 755 root:root
    ensure_tree "$stage/$module" "/opt/mdo/$module/target" root:root
  done
  rm -rf "$stage"
}

# mdo_config: /etc/mdo/config.yaml, which the subscriber and the framework read, and the secrets they get. With
# BACKEND=mesos neither talks to Marathon, so neither gets its password.
mdo_config() {
  local about backend marathon_password=""
  if [ "$BACKEND" = mesos ]; then
    about="BACKEND=mesos: bin/framework schedules the services and writes the registry; the subscriber serves it"
    backend="backend: mesos
mesos:
  urls: [$(urls 5050)]"
  else
    about="BACKEND=marathon: the subscriber writes the registry from Marathon's events"
    backend="marathon:
  urls: [$(urls 8080)]
  user: $MARATHON_USER"
    marathon_password="MARATHON_PASSWORD=$(secret MARATHON_PASSWORD)
"
  fi
  ensure_dir /etc/mdo 755 root:root
  ensure_file /etc/mdo/config.yaml 644 root:root <<EOF
# mdo on $NODE, written by setup/install from cluster.conf ($about).
# Secrets come from /etc/mdo/credentials.env, never from this file.
environment: $ENVIRONMENT
$backend
etcd:
  endpoints: [$(urls 2379)]
subscriber:
  host: $NODE
  port: $SUBSCRIBER_PORT
  url: http://$NODE:$SUBSCRIBER_PORT
EOF
  # systemd reads it as root and hands the values to the services: no other user may read the file.
  ensure_file /etc/mdo/credentials.env 600 root:root <<EOF
# The mdo services' secrets, from $SECRETS. Written by setup/install.
${marathon_password}MDO_SUBSCRIBER_TOKEN=$(secret MDO_SUBSCRIBER_TOKEN)
MDO_REGISTRATION_SECRET=$(secret MDO_REGISTRATION_SECRET)
EOF
}

role_subscriber() {
  require_secrets
  ensure_packages openjdk-17-jre-headless
  install_mdo
  mdo_config
  unit mdo-subscriber.service
  ensure_enabled mdo-subscriber.service
}

# The native Mesos framework: where BACKEND=mesos it schedules the services; elsewhere the subscriber writes the
# registry from Marathon's events and a framework would contend with it, so its unit stays disabled.
role_framework() {
  unit mdo-framework.service
  if [ "$BACKEND" != mesos ]; then
    note skip "enabling mdo-framework.service (BACKEND=$BACKEND in cluster.conf: Marathon schedules the services)"
    return
  fi
  require_secrets
  ensure_packages openjdk-17-jre-headless
  install_mdo
  mdo_config
  ensure_enabled mdo-framework.service
}
