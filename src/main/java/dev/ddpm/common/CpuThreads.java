package dev.ddpm.common;

import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many CPU threads libtorch uses for one op, following the machine's load.
 *
 * <p>libtorch's OpenMP threads spin while they wait for each other. Alone on the CPU that makes the
 * quick model's training step about 1.5 times faster than one thread (153 against 224 ms per step
 * of 32 on 2 cores); but when another busy process shares the cores, the spinning threads wait for
 * each other's time slices and every op slows down 3 to 20 times. One thread has no one to wait
 * for. So a daemon thread looks at the load every second: when other processes keep at least half a
 * core busy (twice in a row), the compute thread goes down to one thread per op; after ten idle
 * seconds, back to all. The compute thread applies the choice itself ({@link #apply}, at every
 * step), because OpenMP's thread count belongs to the thread that sets it. {@code OMP_NUM_THREADS}
 * or {@code -Dai.djl.pytorch.num_threads} fix the count and turn all of this off.
 */
public final class CpuThreads {

    private static final Logger LOG = LoggerFactory.getLogger(CpuThreads.class);
    private static final double BUSY_CORES = 0.5;
    private static final double IDLE_CORES = 0.25;
    private static final int BUSY_SAMPLES = 2;
    private static final int IDLE_SAMPLES = 10;
    private static final long SAMPLE_MILLIS = 1000;

    private static volatile int wanted;
    private static int all;
    private static Thread watcher;

    private CpuThreads() {}

    /**
     * Starts watching the load (once per process; nothing when the user fixed the count or on a
     * machine without /proc). Call from the thread that will compute.
     */
    public static synchronized void watch() {
        if (watcher != null || fixedByUser() || !Files.isReadable(Path.of("/proc/stat"))) {
            return;
        }
        all = JniUtils.getNumThreads();
        wanted = all;
        if (all <= 1) {
            return;
        }
        watcher = new Thread(CpuThreads::watchLoop, "ddpm-cpu-load");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Brings the calling (compute) thread's libtorch thread count to the one the load calls for.
     */
    public static void apply() {
        int n = wanted;
        if (n > 0 && JniUtils.getNumThreads() != n) {
            JniUtils.setNumThreads(n);
        }
    }

    private static boolean fixedByUser() {
        return System.getenv("OMP_NUM_THREADS") != null
                || System.getProperty("ai.djl.pytorch.num_threads") != null;
    }

    private static void watchLoop() {
        int busy = 0;
        int idle = 0;
        try {
            long[] previous = sample();
            while (true) {
                Thread.sleep(SAMPLE_MILLIS);
                long[] now = sample();
                double others = othersBusyCores(previous, now);
                previous = now;
                busy = others >= BUSY_CORES ? busy + 1 : 0;
                idle = others < IDLE_CORES ? idle + 1 : 0;
                if (wanted > 1 && busy >= BUSY_SAMPLES) {
                    wanted = 1;
                    LOG.info(
                            "other processes keep {} CPU cores busy: libtorch runs one thread per"
                                    + " op (set OMP_NUM_THREADS to choose)",
                            String.format("%.1f", others));
                } else if (wanted == 1 && idle >= IDLE_SAMPLES) {
                    wanted = all;
                    LOG.info("the CPU is free again: libtorch runs {} threads per op", all);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read the CPU load; the thread count stays", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
