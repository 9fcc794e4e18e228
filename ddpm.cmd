@echo off
rem ddpm launcher for Windows (the counterpart of ./ddpm): builds the application once if needed, then runs it.
rem
rem libtorch: the CPU build from the pytorch-native-cpu jar (target\lib-cpu), offline. DDPM_NATIVE=gpu leaves that
rem jar off the classpath, so DJL loads a CUDA build (PYTORCH_LIBRARY_PATH + PYTORCH_FLAVOR, or its download).
rem JVM options: DDPM_JAVA_OPTS (default -Xmx8g). Maven (mvn) must be on the PATH. The build
rem skips the formatting check, which CI and the tests do. Not tested on Windows (see README, "Platforms").
setlocal
set "HERE=%~dp0"
set "JAR=%HERE%target\ddpm.jar"
if not defined DDPM_JAVA_OPTS set "DDPM_JAVA_OPTS=-Xmx8g"
rem As ./ddpm: libtorch's threads sleep while they wait, and oneDNN's SSE4.1 kernels are used, since its AVX,
rem AVX2 and AVX-512 convolution kernels compute wrong results on some CPUs (README "CPU"). Settings the user
rem made win.
if not defined OMP_WAIT_POLICY if not defined GOMP_SPINCOUNT set "OMP_WAIT_POLICY=PASSIVE"
if not defined ONEDNN_MAX_CPU_ISA set "ONEDNN_MAX_CPU_ISA=SSE41"

if not exist "%JAR%" goto build
if not exist "%HERE%target\lib" goto build
rem Rebuild when a source file or the pom is newer than the jar.
powershell -NoProfile -Command "$jar = (Get-Item -LiteralPath '%JAR%').LastWriteTime; if (Get-ChildItem -LiteralPath '%HERE%src\main', '%HERE%pom.xml' -Recurse -File | Where-Object { $_.LastWriteTime -gt $jar }) { exit 1 }"
if not errorlevel 1 goto classpath

:build
where mvn >nul 2>nul
if errorlevel 1 (
  echo ddpm: Maven ^(mvn^) is needed to build ddpm; install it and put it on the PATH 1>&2
  exit /b 1
)
set "MVN=mvn"
echo ddpm: building (first run or sources changed) ... 1>&2
set "LOG=%TEMP%\ddpm-build-%RANDOM%.log"
pushd "%HERE%"
rem Offline first (works from a warm local repository without network), then online.
call "%MVN%" -B -q -o -Dspotless.check.skip=true -DskipTests package >"%LOG%" 2>&1
if not errorlevel 1 goto built
call "%MVN%" -B -q -Dspotless.check.skip=true -DskipTests package >"%LOG%" 2>&1
if not errorlevel 1 goto built
popd
type "%LOG%" 1>&2
del "%LOG%"
echo ddpm: build failed (output above) 1>&2
exit /b 1
:built
popd
del "%LOG%"

:classpath
set "CP=%JAR%;%HERE%target\lib\*"
set "PROPS="
if /i "%DDPM_NATIVE%"=="gpu" goto run
if "%DDPM_NATIVE%"=="" goto cpu
if /i "%DDPM_NATIVE%"=="cpu" goto cpu
echo ddpm: DDPM_NATIVE must be cpu or gpu, got '%DDPM_NATIVE%' 1>&2
exit /b 2
:cpu
set "CP=%CP%;%HERE%target\lib-cpu\*"
set "PROPS=-Dai.djl.offline=true"
:run
rem The installation folder (with a dot: a trailing backslash would escape the quote): the shipped
rem model and MNIST are found there from any working directory.
java %DDPM_JAVA_OPTS% "-Dddpm.home=%HERE%." %PROPS% -cp "%CP%" dev.ddpm.cli.DdpmCommand %*
exit /b %ERRORLEVEL%
