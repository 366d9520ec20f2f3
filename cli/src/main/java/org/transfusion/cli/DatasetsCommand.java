package org.transfusion.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.transfusion.engine.data.ContactSheet;
import org.transfusion.engine.data.DataOptions;
import org.transfusion.engine.data.Dataset;
import org.transfusion.engine.data.DatasetSpecs;
import org.transfusion.engine.data.DatasetSummary;
import org.transfusion.engine.data.DicomHeader;
import org.transfusion.engine.data.DicomScan;
import org.transfusion.engine.data.FileImageSplit;
import org.transfusion.engine.data.ImageFiles;
import org.transfusion.engine.data.Split;
import org.transfusion.engine.data.Task;
import org.transfusion.engine.data.Tasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code transfusion datasets ...}: look at a dataset before training on it. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
        description = "Look at datasets before training: counts, label balance, image sizes, example images.",
        subcommands = {DatasetsCommand.Inspect.class})
public final class DatasetsCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code datasets inspect SPEC}: counts per split, prevalence per class per split, image shapes, contact sheet. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Print images per split, label prevalence per class and split, and image sizes/channels;",
                "with --out, write a PNG contact sheet of example images per class."},
            footer = {"", "Specs: medmnist:NAME, npz:PATH, nih-cxr14:PATH, chexpert:PATH, eyepacs:PATH, cifar10:PATH,",
                "cifar10:download (official release into the cache), imagenet:PATH, folder:PATH, dicom:PATH,",
                "synthetic:retina|natural[?n=N&size=S&seed=S]."})
    static final class Inspect implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SPEC", description = "Dataset spec KIND:ARG, e.g. medmnist:retinamnist.")
        String dataSpec;

        @Option(names = "--task", paramLabel = "T",
                description = "Task to count labels for (grade, referable, binary, multiclass, chexpert5, all14, "
                        + "multilabel); default: the dataset's own.")
        String task;

        @Option(names = "--out", paramLabel = "PNG", description = "Write a contact sheet of example images per class.")
        Path out;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Where medmnist:NAME files are looked up first.")
        Path dataDir;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
                description = "Seed of the data split (datasets without official splits) and of the example pick.")
        long seed;

        @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "train",
                description = "Split the contact sheet draws from (train, val, test); default: ${DEFAULT-VALUE}.")
        String sheetSplit;

        @Option(names = "--per-class", paramLabel = "N", defaultValue = "8",
                description = "Examples per class on the contact sheet; default: ${DEFAULT-VALUE}.")
        int perClass;

        @Option(names = "--check", paramLabel = "N", defaultValue = "64",
                description = "Images decoded per split to report sizes; default: ${DEFAULT-VALUE}.")
        int check;

        @Option(names = "--verify", description = "Decode every image (finds unreadable files before a long run).")
        boolean verify;

        @Option(names = "--uncertainty", paramLabel = "POLICY", defaultValue = "u-ones",
                description = "CheXpert uncertain labels: u-ones, u-zeros or u-ignore; default: ${DEFAULT-VALUE}.")
        String uncertainty;

        @Option(names = "--all-views", description = "CheXpert: keep lateral views too (default: frontal only).")
        boolean allViews;

        @Override
        public Integer call() {
            if (perClass < 1 || check < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--per-class must be at least 1 and --check at least 0");
            }
            DataOptions defaults = DataOptions.defaults();
            DataOptions options = new DataOptions(dataDir, seed, uncertainty, !allViews, defaults.online());
            Dataset data = DatasetSpecs.open(dataSpec, options);
            Task t = Tasks.resolve(task, data);
            Split sheetFrom = Split.parse(sheetSplit);
            DatasetSummary summary = DatasetSummary.of(data, t, verify ? Integer.MAX_VALUE : check);

            PrintWriter w = spec.commandLine().getOut();
            print(w, summary);
            printDicom(w, data);
            if (out != null) {
                List<ContactSheet.Row> rows = ContactSheet.rows(data, sheetFrom, perClass, seed);
                ContactSheet.write(ContactSheet.render(data, sheetFrom, rows, 96), out);
                List<String> captions = new ArrayList<>();
                for (ContactSheet.Row r : rows) {
                    captions.add(r.caption() + " (" + r.indices().length + ")");
                }
                w.println();
                w.println("contact sheet: " + out + " (" + sheetFrom.id() + "; rows: " + String.join(", ", captions) + ")");
            } else {
                w.println();
                w.println("(pass --out sheet.png to see example images per class)");
            }
            w.flush();
            return 0;
        }

        private static void print(PrintWriter w, DatasetSummary s) {
            Dataset d = s.data();
            Task t = s.task();
            w.println("dataset   " + d.name() + "  (" + d.spec() + ")");
            w.println("labels    " + d.labels().kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + ", "
                    + d.labels().size() + " names");
            w.println("task      " + t.name() + " (" + t.type().name().toLowerCase(Locale.ROOT) + ", " + t.outputs()
                    + (t.outputs() == 1 ? " output)" : " outputs)"));
            Object rule = d.identity().get("split");
            if (rule != null) {
                w.println("split     " + rule);
            }
            Object patients = d.identity().get("patients");
            if (patients instanceof Map<?, ?> m) {
                w.println("patients  " + m);
            }
            w.println();
            w.printf(Locale.ROOT, "%-8s %8s  %s%n", "split", "images", "image size HxWxC (decoded / images)");
            for (DatasetSummary.SplitStats st : s.splits()) {
                List<String> shapes = new ArrayList<>();
                st.shapes().forEach((k, v) -> shapes.add(st.shapes().size() == 1 ? k : k + " x" + v));
                w.printf(Locale.ROOT, "%-8s %8d  %s (%d / %d)%n", st.split().id(), st.size(),
                        shapes.isEmpty() ? "-" : String.join(", ", shapes), st.checked(), st.size());
            }
            w.println();
            w.println("label prevalence: positives (% of labelled)" + (anyMasked(s) ? ", [masked]" : ""));
            int nameWidth = 12;
            for (DatasetSummary.OutputStats o : s.splits().get(0).outputs()) {
                nameWidth = Math.max(nameWidth, Math.min(36, o.name().length()));
            }
            StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-" + nameWidth + "s", "output"));
            for (DatasetSummary.SplitStats st : s.splits()) {
                header.append(String.format(Locale.ROOT, "  %-22s", st.split().id()));
            }
            w.println(header.toString().stripTrailing());
            int outputs = s.splits().get(0).outputs().size();
            for (int k = 0; k < outputs; k++) {
                String name = s.splits().get(0).outputs().get(k).name();
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + nameWidth + "s",
                        name.length() > 36 ? name.substring(0, 35) + "~" : name));
                for (DatasetSummary.SplitStats st : s.splits()) {
                    DatasetSummary.OutputStats o = st.outputs().get(k);
                    String cell = o.positive() + " (" + percent(o.prevalence()) + ")"
                            + (o.masked() > 0 ? " [" + o.masked() + "]" : "");
                    line.append(String.format(Locale.ROOT, "  %-22s", cell));
                }
                w.println(line.toString().stripTrailing());
            }
        }

        /**
         * For a dataset of DICOM files: what the header scan finds in the files it kept (transfer syntaxes,
         * modalities, photometric interpretations, frames), and how many unreadable files it left out.
         */
        private static void printDicom(PrintWriter w, Dataset d) {
            java.util.Set<java.nio.file.Path> files = new java.util.LinkedHashSet<>();
            for (Split s : Split.values()) {
                if (d.split(s) instanceof FileImageSplit f) {
                    for (int i = 0; i < f.size(); i++) {
                        if (ImageFiles.isDicom(f.file(i))) {
                            files.add(f.file(i));
                        }
                    }
                }
            }
            if (files.isEmpty()) {
                return;
            }
            List<DicomHeader> headers = DicomScan.scan(List.copyOf(files));
            long frames = headers.stream().mapToLong(DicomHeader::frames).sum();
            long multi = headers.stream().filter(h -> h.frames() > 1).count();
            w.println();
            w.printf(Locale.ROOT, "DICOM     %d files, %d frames (%d multi-frame file%s; %s)%n", headers.size(), frames,
                    multi, multi == 1 ? "" : "s", "all".equals(d.identity().get("frames"))
                            ? "every frame is an image" : "the first frame of each is read; frames=all reads all");
            w.println("syntaxes  " + counts(DicomScan.count(headers,
                    h -> h.syntaxTitle() + (h.syntaxUid() == null ? "" : " (" + h.syntaxUid() + ")"))));
            w.println("modality  " + counts(DicomScan.count(headers, DicomHeader::modality)));
            w.println("photometric " + counts(DicomScan.count(headers, DicomHeader::photometric)));
            Object skipped = d.identity().get("unreadable_skipped");
            if (skipped != null) {
                w.println("skipped   " + skipped + " unreadable file(s) left out (unreadable=skip)"
                        + (d.identity().get("unreadable_first") instanceof List<?> l && !l.isEmpty()
                        ? ": " + l.stream().map(Object::toString).collect(java.util.stream.Collectors.joining(", "))
                        : ""));
            }
        }

        private static String counts(Map<String, Long> counts) {
            List<String> parts = new ArrayList<>();
            counts.forEach((k, v) -> parts.add(k + " " + v));
            return String.join(", ", parts);
        }

        private static boolean anyMasked(DatasetSummary s) {
            return s.splits().stream().flatMap(st -> st.outputs().stream()).anyMatch(o -> o.masked() > 0);
        }

        private static String percent(double p) {
            return Double.isNaN(p) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * p);
        }
    }
}
