/* A small closed-loop HTTP load generator for bench/payments.py: the same requests as its
 * Python client (bench.payments._client), without the Python client's CPU and GIL on the two
 * cores the server runs on.
 *
 * Why not wrk: a payment is two dependent requests (POST /quotes, then POST /payments with
 * the quote's id and a fresh Idempotency-Key), timed together; wrk times single requests.
 *
 * Usage: loadgen health|payment PORT SECONDS PRINCIPAL < jobs
 * jobs: one line per client thread, "TOKEN WALLET_ID PAYEE" (health ignores them).
 * Output: one line per successful request or payment, its latency in microseconds, then
 * "errors N". Each thread keeps one keep-alive connection; an error closes and reopens it.
 *
 * Built by bench/payments.py with the machine's cc (cc -O2 -pthread).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_JOBS 256
#define BUF 65536

typedef struct {
    char token[128];
    char wallet[32];
    char payee[128];
    int id;
    long *lat;      /* latencies in microseconds */
    long n, cap;
    long errors;
} job_t;

static int port, payment_mode;
static long principal;
static double stop_at;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    int one = 1;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One response: returns the status code and leaves the body in buf (NUL-terminated), or -1.
 * *keep is cleared when the server says it will close the connection. */
static int read_response(int fd, char *buf, int *keep) {
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        if (have >= BUF - 1) return -1;
        ssize_t r = recv(fd, buf + have, BUF - 1 - have, 0);
        if (r <= 0) return -1;
        have += (size_t)r;
        buf[have] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    int status = atoi(buf + 9);
    long length = -1;
    *keep = 1;
    for (char *line = strstr(buf, "\r\n") + 2, *eol; line < end; line = eol + 2) {
        eol = strstr(line, "\r\n");
        if (!strncasecmp(line, "content-length:", 15)) length = atol(line + 15);
        if (!strncasecmp(line, "connection:", 11)) {
            char *close = strcasestr(line, "close");
            if (close && close < eol) *keep = 0;
        }
    }
    if (length < 0) return -1; /* the API always sends Content-Length */
    size_t head = (size_t)(end + 4 - buf);
    if (head + (size_t)length >= BUF) return -1;
    while (have < head + (size_t)length) {
        ssize_t r = recv(fd, buf + have, head + (size_t)length - have, 0);
        if (r <= 0) return -1;
        have += (size_t)r;
    }
    memmove(buf, buf + head, (size_t)length);
    buf[length] = 0;
    return status;
}

/* The string value of the first "key" in a JSON body (the API writes top-level keys first). */
static int json_str(const char *body, const char *key, char *out, size_t cap) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(body, pat);
    if (!p) return -1;
    p += strlen(pat);
    while (*p == ' ' || *p == ':') p++;
    if (*p != '"') return -1;
    const char *q = strchr(++p, '"');
    if (!q || (size_t)(q - p) >= cap) return -1;
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = 0;
    return 0;
}

static void record(job_t *j, double t0) {
    if (j->n == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 4096;
        j->lat = realloc(j->lat, (size_t)j->cap * sizeof *j->lat);
    }
    j->lat[j->n++] = (long)((now() - t0) * 1e6);
}

static void *client(void *arg) {
    job_t *j = arg;
    char *buf = malloc(BUF), req[2048], body[512], id[64], status[32];
    int fd = dial(), keep = 1;
    unsigned long seq = 0;
    unsigned long salt = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
    while (now() < stop_at) {
        double t0 = now();
        int ok = 0;
        if (fd < 0) fd = dial();
        if (fd < 0) {
            j->errors++;
            usleep(10000);
            continue;
        }
        if (!payment_mode) {
            int n = snprintf(req, sizeof req,
                             "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            ok = send_all(fd, req, (size_t)n) == 0 && read_response(fd, buf, &keep) == 200;
        } else {
            int blen = snprintf(body, sizeof body,
                                "{\"wallet_id\": %s, \"amount\": %ld, \"payee\": {\"kind\": "
                                "\"wallet_id\", \"value\": \"%s\"}}",
                                j->wallet, principal, j->payee);
            int n = snprintf(req, sizeof req,
                             "POST /api/v1/payments/quotes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                             "Content-Length: %d\r\n\r\n%s",
                             j->token, blen, body);
            if (send_all(fd, req, (size_t)n) == 0 && read_response(fd, buf, &keep) == 201 &&
                keep && json_str(buf, "id", id, sizeof id) == 0) {
                blen = snprintf(body, sizeof body, "{\"quote_id\": \"%s\"}", id);
                seq++;
                n = snprintf(req, sizeof req,
                             "POST /api/v1/payments/payments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                             "Idempotency-Key: lg-%lx-%d-%lu\r\nContent-Length: %d\r\n\r\n%s",
                             j->token, salt, j->id, seq, blen, body);
                ok = send_all(fd, req, (size_t)n) == 0 &&
                     read_response(fd, buf, &keep) == 201 &&
                     json_str(buf, "status", status, sizeof status) == 0 &&
                     !strcmp(status, "completed");
            }
        }
        if (ok)
            record(j, t0);
        else
            j->errors++;
        if (!ok || !keep) {
            close(fd);
            fd = -1;
        }
    }
    if (fd >= 0) close(fd);
    free(buf);
    return NULL;
}

int main(int argc, char **argv) {
    static job_t jobs[MAX_JOBS];
    pthread_t threads[MAX_JOBS];
    int n = 0;
    if (argc != 5 || (strcmp(argv[1], "health") && strcmp(argv[1], "payment"))) {
        fprintf(stderr, "usage: loadgen health|payment PORT SECONDS PRINCIPAL < jobs\n");
        return 2;
    }
    payment_mode = !strcmp(argv[1], "payment");
    port = atoi(argv[2]);
    principal = atol(argv[4]);
    while (n < MAX_JOBS && scanf("%127s %31s %127s", jobs[n].token, jobs[n].wallet,
                                 jobs[n].payee) == 3) {
        jobs[n].id = n;
        n++;
    }
    if (!n) {
        fprintf(stderr, "loadgen: no jobs on stdin\n");
        return 2;
    }
    stop_at = now() + atof(argv[3]);
    for (int i = 0; i < n; i++) pthread_create(&threads[i], NULL, client, &jobs[i]);
    long errors = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
        for (long k = 0; k < jobs[i].n; k++) printf("%ld\n", jobs[i].lat[k]);
        errors += jobs[i].errors;
    }
    printf("errors %ld\n", errors);
    return 0;
}
