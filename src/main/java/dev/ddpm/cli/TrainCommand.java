package dev.ddpm.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ddpm.config.ConfigLoader;
import dev.ddpm.config.DdpmConfig;
import dev.ddpm.data.MnistDataset;
import dev.ddpm.io.RunDirectory;
import dev.ddpm.io.Safetensors;
import dev.ddpm.io.TrainingState;
import dev.ddpm.train.ResumeCheck;
import dev.ddpm.train.StopSignal;
import dev.ddpm.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ddpm train}: trains a model into {@code checkpoints/<run>/}, or resumes a run. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Trains a class-conditional diffusion model on MNIST. A run lives in checkpoints/<run>/: config.json,",
            "train.log, metrics.jsonl, loss.png, samples/step-*.png and the last checkpoints step-*.safetensors.",
            "Ctrl-C writes a checkpoint and stops; --resume continues exactly where the run stopped."
        },
        footer = {
            "",
            "Examples:",
            "  ddpm train --config config/quick.json                 small model, a few minutes on CPU",
            "  ddpm train --epochs 20 --batch-size 128 --lr 2e-4      the reference model, changed",
            "  ddpm train --config config/quick.json --set train.grad_clip=1.0 --run clipped",
            "  ddpm train --resume latest                            continue the most recent run",
            "  ddpm train --resume quick-20250101-120000 --epochs 10  continue a run for more epochs"
        })
public final class TrainCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);
    private static final Path CHECKPOINTS = Path.of("checkpoints");
    /** Exit status after a stop on request, as a shell reports Ctrl-C. */
    static final int STOPPED = 130;

    @Mixin
    CommonOptions common;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--epochs", paramLabel = "N", description = "Sets train.epochs (may be raised on --resume).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Sets train.batch_size.")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Sets train.lr (Adam learning rate).")
    Double lr;

    @Option(names = "--seed", paramLabel = "N", description = "Sets train.seed (weights, data order, noise).")
    Long seed;

    @Option(names = "--run", paramLabel = "NAME",
            description = "Run folder name under checkpoints/ (default: <config name>-<yyyyMMdd-HHmmss>).")
    String run;

    @Option(names = "--resume", paramLabel = "RUN",
            description = "Continue a run: 'latest', a run name, a run folder or a checkpoint file.")
    String resume;

    @Override
    public Integer call() throws IOException {
        common.applyLogging();
        if (resume != null && run != null) {
            throw new UsageException("--run and --resume exclude each other (a resumed run stays in its folder)");
        }
        Path checkpoint = resume == null ? null : RunDirectory.resolveCheckpoint(resume, CHECKPOINTS);
        DdpmConfig config;
        RunDirectory runDir;
        TrainingState resumed = null;
        if (checkpoint == null) {
            config = configOptions.load(flags());
            runDir = new RunDirectory(CHECKPOINTS.resolve(run != null ? run : defaultRunName()));
            if (!runDir.checkpoints().isEmpty()) {
                throw new UsageException("run folder " + runDir.root() + " already holds checkpoints; continue it with"
                        + " --resume " + runDir.root().getFileName() + " or pick another --run name");
            }
        } else {
            Map<String, String> meta = Safetensors.readHeader(checkpoint).metadata();
            DdpmConfig saved = ConfigLoader.fromJson(meta.getOrDefault("config", "{}"));
            if (!meta.containsKey("state")) {
                throw new UsageException(checkpoint + " holds no training state (imported weights?), so it cannot"
                        + " be resumed; start a new run instead");
            }
            resumed = ConfigLoader.MAPPER.readValue(meta.get("state"), TrainingState.class);
            boolean fresh = configOptions.file() == null && configOptions.set.isEmpty();
            config = fresh ? withOverrides(saved, flags()) : configOptions.load(flags());
            ResumeCheck.requireCompatible(saved, config, resumed.epoch());
            runDir = new RunDirectory(checkpoint.toAbsolutePath().getParent());
        }
        Files.createDirectories(runDir.root());
        Logging.addRunLog(runDir.log());
        ConfigLoader.save(config, runDir.config());
        LOG.info("run {} ({}), configuration:\n{}", runDir.root(), resumed == null ? "new" : "resuming step "
                + resumed.step(), ConfigLoader.toJson(config));
        Device device = common.device();
        MnistDataset data = loadData(config);

        try (Trainer trainer = new Trainer(config, data, device);
                StopSignal signal = new StopSignal(trainer::requestStop, Duration.ofMinutes(10))) {
            if (checkpoint != null) {
                trainer.resume(checkpoint);
            }
            LOG.info("{} training images, {} steps per epoch, {} steps in total", Math.min(data.size(),
                    config.train().trainLimit() > 0 ? config.train().trainLimit() : data.size()),
                    trainer.batchesPerEpoch(), trainer.totalSteps());
            Trainer.Outcome outcome = trainer.run(runDir);
            Path last = runDir.latestCheckpoint().orElseThrow();
            if (outcome == Trainer.Outcome.STOPPED) {
                LOG.info("stopped at step {}; checkpoint {}. Continue with: ./ddpm train --resume {}",
                        trainer.state().step(), last, runDir.root().getFileName());
                return STOPPED;
            }
            LOG.info("finished {} epochs ({} steps); checkpoint {}, samples in {}, loss curve {}",
                    config.train().epochs(), trainer.state().step(), last, runDir.samples(), runDir.lossPlot());
            return 0;
        }
    }

    private Map<String, String> flags() {
        Map<String, String> extra = new LinkedHashMap<>();
        if (epochs != null) {
            extra.put("train.epochs", epochs.toString());
        }
        if (batchSize != null) {
            extra.put("train.batch_size", batchSize.toString());
        }
        if (lr != null) {
            extra.put("train.lr", lr.toString());
        }
        if (seed != null) {
            extra.put("train.seed", seed.toString());
        }
        return extra;
    }

    /** {@code config} with {@code overrides} applied, validated like a loaded configuration. */
    static DdpmConfig withOverrides(DdpmConfig config, Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>();
        flatten(ConfigLoader.MAPPER.valueToTree(config), "", all);
        all.putAll(overrides);
        return ConfigLoader.load(null, all);
    }

    private static void flatten(JsonNode node, String prefix, Map<String, String> out) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (e.getValue().isObject()) {
                flatten(e.getValue(), prefix + e.getKey() + ".", out);
            } else {
                out.put(prefix + e.getKey(), e.getValue().toString());
            }
        }
    }

    private String defaultRunName() {
        Path file = configOptions.file();
        String name = file == null ? "default" : file.getFileName().toString().replaceFirst("\\.json$", "");
        return name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }

    /** The training split of the configured dataset, downloaded first if its files are missing. */
    static MnistDataset loadData(DdpmConfig config) {
        Path dir = MnistDataset.folder(Path.of(config.train().dataDir()), config.train().dataset());
        MnistDataset.ensureFiles(dir, config.train().dataset());
        return MnistDataset.load(dir, true);
    }
}
