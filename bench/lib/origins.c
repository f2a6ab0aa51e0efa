/*
 * Many tiny HTTP origins in one process, one thread, one epoll: for bench/cluster-scale.sh, where three
 * instances check 5 000 origins every 10 s (1 500 checks a second), more than bench/origins.py (asyncio)
 * keeps up with on a busy 2-core machine.
 *
 *   cc -O2 -o origins bench/lib/origins.c
 *   origins COUNT NET PORT [STATS_FILE]      e.g. origins 5000 127.1 18081 stats.txt
 *
 * Listens on COUNT loopback addresses NET.(i / 250).(i % 250 + 1), i = 0..COUNT-1 (127.1.0.1 ...
 * 127.1.19.250 for 5 000), all on PORT: one listening socket per address, as origins.py does, so that each
 * origin is a distinct address and nothing listens beyond loopback. Each connection gets, once its request
 * headers are in (an empty line), "HTTP/1.1 200 OK" with a 3-byte body and "Connection: close", and is closed.
 * Prints "ready COUNT" on stdout once every socket listens. Every second it rewrites STATS_FILE with
 * "<epoch> <requests served> <distinct addresses served> <connections closed before a request>".
 * Stops on SIGTERM/SIGINT. Needs COUNT + a few file descriptors (ulimit -n).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
                           "Connection: close\r\n\r\nok\n";

/* per fd: -1 unused; for a listener, its origin index; for a connection, (index << 2) | terminator bytes seen */
static int *listener_of;   /* fd -> origin index, or -1 */
static int *conn_state;    /* fd -> origin index * 4 + matched, or -1 */
static unsigned char *served;
static volatile sig_atomic_t stop;

static void on_signal(int s) { (void) s; stop = 1; }

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s COUNT NET PORT [STATS_FILE]\n", argv[0]);
        return 2;
    }
    int count = atoi(argv[1]);
    const char *net = argv[2];
    int port = atoi(argv[3]);
    const char *stats = argc > 4 ? argv[4] : NULL;
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    int maxfd = (int) (rl.rlim_cur > 1048576 ? 1048576 : rl.rlim_cur);
    listener_of = malloc(sizeof(int) * maxfd);
    conn_state = malloc(sizeof(int) * maxfd);
    served = calloc(count, 1);
    for (int i = 0; i < maxfd; i++) {
        listener_of[i] = -1;
        conn_state[i] = -1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    int ep = epoll_create1(0);
    for (int i = 0; i < count; i++) {
        char addr[64];
        snprintf(addr, sizeof addr, "%s.%d.%d", net, i / 250, i % 250 + 1);
        int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (s < 0 || s >= maxfd) {
            fprintf(stderr, "socket %d: %s (ulimit -n is %d)\n", i, strerror(errno), maxfd);
            return 1;
        }
        int one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
        inet_pton(AF_INET, addr, &sa.sin_addr);
        if (bind(s, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(s, 1024) < 0) {
            fprintf(stderr, "%s:%d: %s\n", addr, port, strerror(errno));
            return 1;
        }
        listener_of[s] = i;
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = s};
        epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    }
    printf("ready %d\n", count);
    fflush(stdout);
    long requests = 0, dropped = 0, distinct = 0;
    time_t last = 0;
    struct epoll_event events[256];
    char buf[4096];
    while (!stop) {
        int n = epoll_wait(ep, events, 256, 500);
        for (int k = 0; k < n; k++) {
            int fd = events[k].data.fd;
            if (listener_of[fd] >= 0) {
                for (;;) {
                    int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK);
                    if (c < 0) {
                        break;
                    }
                    if (c >= maxfd) {
                        close(c);
                        continue;
                    }
                    conn_state[c] = listener_of[fd] * 4;
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
                }
                continue;
            }
            int st = conn_state[fd];
            if (st < 0) {
                continue;
            }
            int matched = st & 3, origin = st >> 2, done = 0, closed = 0;
            for (;;) {
                ssize_t r = read(fd, buf, sizeof buf);
                if (r > 0) {
                    /* look for \r\n\r\n across reads: matched counts the terminator bytes seen so far */
                    static const char T[] = "\r\n\r\n";
                    for (ssize_t i = 0; i < r && !done; i++) {
                        if (buf[i] == T[matched]) {
                            if (++matched == 4) {
                                done = 1;
                            }
                        } else {
                            matched = buf[i] == '\r' ? 1 : 0;
                        }
                    }
                    if (done) {
                        break;
                    }
                    continue;
                }
                if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                    closed = 1;
                }
                break;
            }
            if (done) {
                ssize_t w = write(fd, RESP, sizeof RESP - 1);
                (void) w;
                requests++;
                if (!served[origin]) {
                    served[origin] = 1;
                    distinct++;
                }
            } else if (closed) {
                dropped++;
            } else {
                conn_state[fd] = origin * 4 + (matched & 3);
                continue;
            }
            conn_state[fd] = -1;
            close(fd);
        }
        time_t now = time(NULL);
        if (stats && now != last) {
            last = now;
            char tmp[4096];
            snprintf(tmp, sizeof tmp, "%s.tmp", stats);
            FILE *f = fopen(tmp, "w");
            if (f) {
                fprintf(f, "%ld %ld %ld %ld\n", (long) now, requests, distinct, dropped);
                fclose(f);
                rename(tmp, stats);
            }
        }
    }
    return 0;
}
