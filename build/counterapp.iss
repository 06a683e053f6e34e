; counterapp — Inno Setup 6 script for the Windows installer
; マイナンバーカード窓口端末 インストーラー
;
; NOT COMPILED HERE: this script was written on a Linux machine without Inno Setup and has
; not been compiled or run yet. Compile it on Windows and test the installer before use.
; このスクリプトは Linux 上で作成しており、まだ一度もコンパイル・実行していません。
;
; Build (Windows, from the repository root, after the PyInstaller build):
;   pyinstaller --noconfirm build/counterapp.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" build\counterapp.iss
; Another version number:
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.2.0 build\counterapp.iss
; Output: build\out\counterapp-<version>-setup.exe
;
; Needs Inno Setup 6.3 or later (architecture identifier x64compatible). The file is
; UTF-8 with a byte order mark because of the Japanese text below.
;
; What it installs (per machine, administrator rights):
;   {autopf}\counterapp\  = C:\Program Files\counterapp\ : everything in dist\counterapp\
;                           (counterapp.exe, counterapp-gui.exe, _internal\) and
;                           docs\operator-guide.md
;   Start menu            : 窓口端末 (counterapp-gui.exe), セルフ端末（キオスク）
;                           (counterapp-gui.exe --kiosk), and the uninstaller
; Per-user data (%LOCALAPPDATA%\counterapp: settings, encrypted queue, audit log, keys) is
; created by the programs, not by this installer, and the uninstaller leaves it in place.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

; Paths are built from the folder of this script, so ISCC can be run from anywhere.
#define RepoRoot AddBackslash(SourcePath) + ".."
#define DistDir RepoRoot + "\dist\counterapp"

#ifnexist DistDir + "\counterapp.exe"
  #error dist\counterapp\counterapp.exe is missing: run "pyinstaller --noconfirm build/counterapp.spec" in the repository root first
#endif
#ifnexist DistDir + "\counterapp-gui.exe"
  #error dist\counterapp\counterapp-gui.exe is missing: run "pyinstaller --noconfirm build/counterapp.spec" in the repository root first
#endif

[Setup]
; AppId identifies the installation for upgrades and the uninstaller: never change it.
AppId={{9E6DD78C-B22D-4133-8A8E-11BAED5D411F}
AppName=counterapp
AppVersion={#AppVersion}
AppVerName=counterapp {#AppVersion}
AppPublisher=counterapp contributors
AppComments=マイナンバーカード窓口端末 / My Number card counter terminal
DefaultDirName={autopf}\counterapp
; A fixed folder: the kiosk lockdown (Shell Launcher) and scheduled tasks name this path.
DisableDirPage=yes
DefaultGroupName=counterapp
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
WizardStyle=modern
Compression=lzma2
SolidCompression=yes
OutputDir={#RepoRoot}\build\out
OutputBaseFilename=counterapp-{#AppVersion}-setup
#ifexist RepoRoot + "\resources\icons\counterapp.ico"
SetupIconFile={#RepoRoot}\resources\icons\counterapp.ico
#endif
UninstallDisplayIcon={app}\counterapp-gui.exe
UninstallDisplayName=counterapp {#AppVersion}
; Running terminals are closed by Restart Manager during an upgrade; they are not restarted
; by the installer (a kiosk account starts its own shell again).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
japanese.ClerkShortcut=窓口端末
english.ClerkShortcut=Counter terminal
japanese.ClerkComment=職員用の窓口画面
english.ClerkComment=The clerk window
japanese.KioskShortcut=セルフ端末（キオスク）
english.KioskShortcut=Self-service kiosk
japanese.KioskComment=住民が操作するセルフ端末（全画面）
english.KioskComment=The self-service kiosk for residents (full screen)

[InstallDelete]
; A one-folder build changes its library files between versions: remove the old ones
; before copying the new build, so nothing stale is left in _internal.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#RepoRoot}\docs\operator-guide.md"; DestDir: "{app}\docs"; Flags: ignoreversion

[Icons]
Name: "{group}\{cm:ClerkShortcut}"; Filename: "{app}\counterapp-gui.exe"; WorkingDir: "{app}"; Comment: "{cm:ClerkComment}"
Name: "{group}\{cm:KioskShortcut}"; Filename: "{app}\counterapp-gui.exe"; Parameters: "--kiosk"; WorkingDir: "{app}"; Comment: "{cm:KioskComment}"
Name: "{group}\{cm:UninstallProgram,counterapp}"; Filename: "{uninstallexe}"
