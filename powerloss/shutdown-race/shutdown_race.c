// Does an fsync that overlaps a file-system shutdown report success for data the shutdown
// discards? One thread appends fixed-size records to FILE and fdatasyncs after each, noting when
// each fdatasync started and returned; another thread shuts the file system down (the ioctl behind
// `xfs_io -x -c shutdown`, XFS_IOC_GOINGDOWN with no log flush, which ext4 also implements) after
// DELAY_US. After the shutdown the writer stops at its first failed call.
//
// Prints one line "acks=N shutdown_took_us=T" and one line per acknowledged record
// "ack SEQ START END" (microseconds relative to the moment the shutdown call began; negative is
// before). run.sh remounts the file system and compares what survived with these lines.
//
// usage: shutdown_race FILE DIR DELAY_US RECORD_BYTES
//        shutdown_race --verify FILE RECORD_BYTES   (prints how many leading records are intact)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define XFS_IOC_GOINGDOWN _IOR('X', 125, uint32_t)
#define GOING_FLAGS_NOLOGFLUSH 2u /* XFS_FSOP_GOING_FLAGS_NOLOGFLUSH, EXT4_GOING_FLAGS_NOLOGFLUSH */
#define MAX_RECORDS 1000000L

static int fd;
static long delay_us;
static double shutdown_began, shutdown_returned;

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void *shut_down(void *unused) {
  (void)unused;
  usleep(delay_us);
  uint32_t flags = GOING_FLAGS_NOLOGFLUSH;
  shutdown_began = now_us();
  if (ioctl(fd, XFS_IOC_GOINGDOWN, &flags) != 0) {
    perror("shutdown ioctl");
    exit(2);
  }
  shutdown_returned = now_us();
  return NULL;
}

/* The number of leading records of FILE that hold their own seq and filler. */
static int verify(const char *file, int record) {
  FILE *in = fopen(file, "rb");
  if (in == NULL || record < 8) {
    perror("verify");
    return 2;
  }
  char *buf = malloc(record);
  long seq = 0;
  while (fread(buf, 1, record, in) == (size_t)record) {
    long stored;
    memcpy(&stored, buf, sizeof stored);
    int intact = stored == seq;
    for (int i = sizeof stored; intact && i < record; i++) {
      intact = buf[i] == 'x';
    }
    if (!intact) {
      break;
    }
    seq++;
  }
  printf("%ld\n", seq);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "--verify") == 0) {
    return verify(argv[2], atoi(argv[3]));
  }
  if (argc != 5) {
    fprintf(stderr, "usage: %s FILE DIR DELAY_US RECORD_BYTES\n", argv[0]);
    return 2;
  }
  fd = open(argv[1], O_CREAT | O_WRONLY | O_TRUNC, 0644);
  int dir = open(argv[2], O_RDONLY);
  delay_us = atol(argv[3]);
  int record = atoi(argv[4]);
  if (fd < 0 || dir < 0 || record < 8) {
    perror("open");
    return 2;
  }
  // The file's directory entry is durable before the first record is acknowledged.
  if (fsync(fd) != 0 || fsync(dir) != 0) {
    perror("fsync");
    return 2;
  }
  double *started = malloc(sizeof(double) * MAX_RECORDS);
  double *returned = malloc(sizeof(double) * MAX_RECORDS);
  char *buf = malloc(record);
  pthread_t shutter;
  pthread_create(&shutter, NULL, shut_down, NULL);
  long acks = 0;
  for (long seq = 0; seq < MAX_RECORDS; seq++) {
    memset(buf, 'x', record);
    memcpy(buf, &seq, sizeof seq);
    if (pwrite(fd, buf, record, seq * record) != record) {
      break;
    }
    double a = now_us();
    int rc = fdatasync(fd);
    double b = now_us();
    if (rc != 0) {
      break;
    }
    started[seq] = a;
    returned[seq] = b;
    acks = seq + 1;
  }
  pthread_join(shutter, NULL);
  printf("acks=%ld shutdown_took_us=%.0f\n", acks, shutdown_returned - shutdown_began);
  for (long seq = 0; seq < acks; seq++) {
    printf("ack %ld %.0f %.0f\n", seq, started[seq] - shutdown_began, returned[seq] - shutdown_began);
  }
  return 0;
}
