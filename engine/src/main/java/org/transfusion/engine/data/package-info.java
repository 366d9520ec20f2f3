/**
 * The data layer: datasets opened from spec strings, their splits and labels, tasks, and the seeded pipeline
 * that turns images into batches.
 *
 * <p>Specs ({@link org.transfusion.engine.data.DatasetSpecs#open}):
 * <ul>
 *   <li>{@code medmnist:NAME} official MedMNIST v2 file from {@code --data-dir}, {@code $TRANSFUSION_DATA} or the
 *       cache, downloaded (MD5-checked) when online ({@link org.transfusion.engine.data.MedMnist});</li>
 *   <li>{@code npz:PATH} MedMNIST layout {@code {train,val,test}_{images,labels}}
 *       ({@link org.transfusion.engine.data.NpzDataset});</li>
 *   <li>{@code nih-cxr14:PATH} ChestX-ray14 folder or 64 px npz, patient-level splits
 *       ({@link org.transfusion.engine.data.NihCxr14});</li>
 *   <li>{@code chexpert:PATH} CheXpert-v1.0(-small), uncertainty policy and frontal filter from
 *       {@link org.transfusion.engine.data.DataOptions} ({@link org.transfusion.engine.data.CheXpert});</li>
 *   <li>{@code eyepacs:PATH} Kaggle DR {@code trainLabels.csv} + JPEGs ({@link org.transfusion.engine.data.EyePacs});</li>
 *   <li>{@code cifar10:PATH} binary batches or npz chunks; {@code cifar10:download} fetches the official binary
 *       release (MD5-checked) into {@code $TRANSFUSION_CACHE/cifar10/} once, offline it says where to put it
 *       ({@link org.transfusion.engine.data.Cifar10});</li>
 *   <li>{@code imagenet:PATH} ILSVRC-2012 {@code train/<wnid>/}, validation (the test split) in {@code val/<wnid>/}
 *       or flat with Kaggle's or the devkit's labels ({@link org.transfusion.engine.data.ImageNet});</li>
 *   <li>{@code folder:PATH} one sub-folder per class ({@link org.transfusion.engine.data.FolderDataset});</li>
 *   <li>{@code dicom:PATH} DICOM files with a labels CSV keyed by file or SOP Instance UID, or one folder per
 *       class ({@link org.transfusion.engine.data.DicomDataset}; decoding in {@code DicomFile});</li>
 *   <li>{@code synthetic:retina|natural[?n=N&size=S&seed=S]} procedural data for the offline demo
 *       ({@link org.transfusion.engine.data.Synthetic}).</li>
 * </ul>
 * Splits without an official definition are seeded by {@link org.transfusion.engine.data.DataOptions#seed()}:
 * by patient where patients are known ({@link org.transfusion.engine.data.SeededSplits#byGroup}), stratified by
 * class otherwise. Every user mistake is a one-line {@link org.transfusion.error.BadInputException} naming the
 * file, the field and what was expected.
 */
package org.transfusion.engine.data;
