package dev.ddpm.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches whether other processes keep the CPU busy, from {@code /proc} (Linux; elsewhere it sees
 * nothing). libtorch's spinning OpenMP threads are fast alone but slow every op down many times
 * beside a busy process, and how its threads wait is fixed when the process starts: so a process
 * that spins learns here when to make way for one that sleeps.
 */
public final class CpuLoad {

    private static final Logger LOG = LoggerFactory.getLogger(CpuLoad.class);

    /** Other processes' busy cores that make spinning threads slower than sleeping ones. */
    public static final double BUSY_CORES = 0.5;

    private static final int BUSY_SAMPLES = 2;
    private static final long SAMPLE_MILLIS = 1000;

    private CpuLoad() {}

    /**
     * Whether this process was started with spinning OpenMP threads chosen by the launcher for a
     * free CPU ({@code OMP_WAIT_POLICY=ACTIVE} with {@code DDPM_WAIT_POLICY_CHOSEN=1}), so that it
     * may hand over to a process that sleeps.
     */
    public static boolean spinningByChoice() {
        return "ACTIVE".equals(System.getenv("OMP_WAIT_POLICY"))
                && "1".equals(System.getenv("DDPM_WAIT_POLICY_CHOSEN"));
    }

    /**
     * Calls {@code onBusy} once, on a daemon thread, when other processes have kept at least
     * {@value #BUSY_CORES} cores busy for {@value #BUSY_SAMPLES} seconds in a row. Returns the
     * thread, to interrupt when the watch is over.
     */
    public static Thread watch(Runnable onBusy) {
        Thread watcher =
                new Thread(
                        () -> {
                            int busy = 0;
                            try {
                                long[] previous = sample();
                                while (busy < BUSY_SAMPLES) {
                                    Thread.sleep(SAMPLE_MILLIS);
                                    long[] now = sample();
                                    busy =
                                            othersBusyCores(previous, now) >= BUSY_CORES
                                                    ? busy + 1
                                                    : 0;
                                    previous = now;
                                }
                                onBusy.run();
                            } catch (IOException | RuntimeException e) {
                                LOG.debug("cannot read the CPU load", e);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "ddpm-cpu-load");
        watcher.setDaemon(true);
        watcher.start();
        return watcher;
    }

    /** Cores kept busy by processes other than this one between two samples. */
    static double othersBusyCores(long[] before, long[] after) {
        long total = after[0] - before[0];
        long busy = after[1] - before[1];
        long mine = after[2] - before[2];
        int cores = Runtime.getRuntime().availableProcessors();
        return total <= 0 ? 0 : Math.max(0, (double) (busy - mine) / total * cores);
    }

    /**
     * Jiffies: all CPUs' total and busy time (/proc/stat), and this process's (/proc/self/stat).
     */
    private static long[] sample() throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long[] v = Arrays.stream(cpu, 1, cpu.length).mapToLong(Long::parseLong).toArray();
        long idle = v[3] + (v.length > 4 ? v[4] : 0);
        long total = Arrays.stream(v, 0, Math.min(v.length, 8)).sum();
        String self = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = self.substring(self.lastIndexOf(')') + 2).split("\\s+");
        // utime and stime, fields 14 and 15 of stat, are 12 and 13 after the command name
        long mine = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return new long[] {total, total - idle, mine};
    }
}
