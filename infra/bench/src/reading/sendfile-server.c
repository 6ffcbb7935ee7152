/* The physical ceiling of the package benchmark's download: the least any server can do to send
 * a file over loopback HTTP on this machine. C, a thread per connection, the file moved by the
 * kernel with sendfile(2) (no copy through user space at all). Compiled by the bench with `cc`.
 *   sendfile-server <file> <port>      GET /ready → "ok"; any other GET → the file. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *path;
static off_t size;

static void *serve(void *arg) {
  int fd = (int)(long)arg;
  char req[4096];
  size_t got = 0;
  while (got < sizeof req - 1) { /* read the request head */
    ssize_t n = read(fd, req + got, sizeof req - 1 - got);
    if (n <= 0) { close(fd); return NULL; }
    got += n;
    req[got] = 0;
    if (strstr(req, "\r\n\r\n")) break;
  }
  char head[256];
  if (strncmp(req, "GET /ready", 10) == 0) {
    int len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    if (write(fd, head, len) < 0) perror("write");
  } else {
    int file = open(path, O_RDONLY);
    int len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\nConnection: close\r\n\r\n", (long long)size);
    if (file >= 0 && write(fd, head, len) == len) {
      off_t offset = 0;
      while (offset < size && sendfile(fd, file, &offset, size - offset) > 0) {}
    }
    if (file >= 0) close(file);
  }
  close(fd);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s <file> <port>\n", argv[0]); return 2; }
  path = argv[1];
  struct stat st;
  if (stat(path, &st) != 0) { perror(path); return 1; }
  size = st.st_size;
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, 128) != 0) { perror("listen"); return 1; }
  for (;;) {
    int fd = accept(s, NULL, NULL);
    if (fd < 0) continue;
    pthread_t t;
    if (pthread_create(&t, NULL, serve, (void *)(long)fd) == 0) pthread_detach(t); else close(fd);
  }
}
