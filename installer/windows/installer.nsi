; The setup program: a pynsist 2.8 template (Jinja, with square-bracket markers), filled by build.py.
; Per-user (no administrator rights), 64-bit, Chinese pages. The school's data is never here: it
; lives in %LOCALAPPDATA%\jiaoyu (platformdirs), which neither an upgrade nor the uninstaller touches.

!define PRODUCT_NAME "[[ib.appname]]"
!define PRODUCT_VERSION "[[ib.version]]"
!define PUBLISHER "[[ib.publisher]]"
!define INSTALLER_NAME "[[ib.installer_name]]"
!define PRODUCT_ICON "[[icon]]"
!define REG_KEY "[[ib.reg_key]]"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${REG_KEY}"
!define CLASSES "Software\Classes"
!define APP_EXE "$INSTDIR\bin\jiaoyu-app.exe"

Target amd64-unicode
ManifestDPIAware true
ManifestSupportedOS Win10
SetCompressor /SOLID lzma
SetCompressorDictSize 64
RequestExecutionLevel user

Name "${PRODUCT_NAME} ${PRODUCT_VERSION}"
OutFile "${INSTALLER_NAME}"
InstallDir "$LOCALAPPDATA\Programs\jiaoyuapp"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
ShowInstDetails show
ShowUninstDetails show
BrandingText "${PRODUCT_NAME} ${PRODUCT_VERSION}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "WinVer.nsh"
!include "x64.nsh"

!define MUI_ICON "[[icon]]"
!define MUI_UNICON "[[icon]]"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TEXT "本向导将在这台电脑上安装“${PRODUCT_NAME}”${PRODUCT_VERSION}。$\r$\n$\r$\n只为当前用户安装，不需要管理员权限。学校的数据保存在用户数据文件夹（%LOCALAPPDATA%\jiaoyu）中，升级或卸载本软件都不会删除这些数据。$\r$\n$\r$\n点击“下一步”继续。"
!define MUI_FINISHPAGE_RUN "${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "现在启动“${PRODUCT_NAME}”"
!define MUI_UNCONFIRMPAGE_TEXT_TOP "将从这台电脑上卸载“${PRODUCT_NAME}”。学校的数据（%LOCALAPPDATA%\jiaoyu 中的数据库、备份）会保留，不会被删除。"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

VIProductVersion "[[ib.vi_version]]"
VIFileVersion "[[ib.vi_version]]"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "${PRODUCT_NAME}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${PRODUCT_VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${PRODUCT_VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "${PRODUCT_NAME} 安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "${PUBLISHER}"

Function .onInit
  SetShellVarContext current
  ; Qt 6.9 needs 64-bit Windows 10 1809 (build 17763) or later.
  ${IfNot} ${RunningX64}
  ${OrIfNot} ${AtLeastWin10}
  ${OrIfNot} ${AtLeastBuild} 17763
    MessageBox MB_OK|MB_ICONSTOP "“${PRODUCT_NAME}”需要64位的 Windows 10（1809版或更新）或 Windows 11。" /SD IDOK
    Abort
  ${EndIf}
FunctionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "!${PRODUCT_NAME}" sec_app
  SectionIn RO
  SetShellVarContext current

  ; An upgrade replaces the program's own folders whole, so no module of the older version is left
  ; behind. Only these folders: the install folder may be one the user chose.
  RMDir /r "$INSTDIR\pkgs"
  RMDir /r "$INSTDIR\Python"
  RMDir /r "$INSTDIR\bin"

  SetOutPath "$INSTDIR"
  File "${PRODUCT_ICON}"
  SetOutPath "$INSTDIR\pkgs"
  File /r "pkgs\*.*"

[% for destination, group in grouped_files %]
  SetOutPath "[[destination]]"
  [% for file in group %]
  File "[[ file ]]"
  [% endfor %]
[% endfor %]
[% for dir, destination in ib.install_dirs %]
  SetOutPath "[[ pjoin(destination, dir) ]]"
  File /r "[[dir]]\*.*"
[% endfor %]

  ; Shortcuts start the window program (no console). Working folder: the user's own, never the
  ; install folder.
  SetOutPath "$PROFILE"
  CreateShortCut "$SMPROGRAMS\${PRODUCT_NAME}.lnk" "${APP_EXE}" "" "$INSTDIR\${PRODUCT_ICON}" 0 \
    SW_SHOWNORMAL "" "乡村学校控辍保学与家访台账"
  CreateShortCut "$DESKTOP\${PRODUCT_NAME}.lnk" "${APP_EXE}" "" "$INSTDIR\${PRODUCT_ICON}" 0 \
    SW_SHOWNORMAL "" "乡村学校控辍保学与家访台账"
  SetOutPath "$INSTDIR"

  DetailPrint "把命令行程序 jiaoyu 加入当前用户的 PATH……"
  nsExec::ExecToLog '"$INSTDIR\Python\python.exe" -Es "$INSTDIR\_system_path.py" add_user "$INSTDIR\bin"'
  Pop $0

  ; Compiled once here, so that every start of the program does not compile them again.
  DetailPrint "编译 Python 模块……"
  nsExec::ExecToLog '"$INSTDIR\Python\python.exe" -Es -m compileall -q "$INSTDIR\pkgs"'
  Pop $0

  ; Double-clicking a 数据包 (.jyp) or 回执 (.jyr) opens it in the program.
  WriteRegStr HKCU "${CLASSES}\.jyp" "" "jiaoyuapp.packet"
  WriteRegStr HKCU "${CLASSES}\.jyp\OpenWithProgids" "jiaoyuapp.packet" ""
  WriteRegStr HKCU "${CLASSES}\jiaoyuapp.packet" "" "控辍保学数据包"
  WriteRegStr HKCU "${CLASSES}\jiaoyuapp.packet\DefaultIcon" "" "$INSTDIR\${PRODUCT_ICON},0"
  WriteRegStr HKCU "${CLASSES}\jiaoyuapp.packet\shell\open" "" "用“${PRODUCT_NAME}”打开"
  WriteRegStr HKCU "${CLASSES}\jiaoyuapp.packet\shell\open\command" "" '"${APP_EXE}" "%1"'
  WriteRegStr HKCU "${CLASSES}\.jyr" "" "jiaoyuapp.receipt"
  WriteRegStr HKCU "${CLASSES}\.jyr\OpenWithProgids" "jiaoyuapp.receipt" ""
  WriteRegStr HKCU "${CLASSES}\jiaoyuapp.receipt" "" "控辍保学回执"
  WriteRegStr HKCU "${CLASSES}\jiaoyuapp.receipt\DefaultIcon" "" "$INSTDIR\${PRODUCT_ICON},0"
  WriteRegStr HKCU "${CLASSES}\jiaoyuapp.receipt\shell\open" "" "用“${PRODUCT_NAME}”打开"
  WriteRegStr HKCU "${CLASSES}\jiaoyuapp.receipt\shell\open\command" "" '"${APP_EXE}" "%1"'
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  ; 控制面板 → 程序和功能
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${PRODUCT_VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${PRODUCT_ICON}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  nsExec::ExecToLog '"$INSTDIR\Python\python.exe" -Es "$INSTDIR\_system_path.py" remove_user "$INSTDIR\bin"'
  Pop $0

  Delete "$SMPROGRAMS\${PRODUCT_NAME}.lnk"
  Delete "$DESKTOP\${PRODUCT_NAME}.lnk"

  RMDir /r "$INSTDIR\pkgs"
[% for file, destination in ib.install_files %]
  Delete "[[pjoin(destination, file)]]"
[% endfor %]
[% for dir, destination in ib.install_dirs %]
  RMDir /r "[[pjoin(destination, dir)]]"
[% endfor %]
  Delete "$INSTDIR\${PRODUCT_ICON}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  ; The file types, only where they still name this program.
  ReadRegStr $0 HKCU "${CLASSES}\.jyp" ""
  StrCmp $0 "jiaoyuapp.packet" 0 +2
    DeleteRegKey HKCU "${CLASSES}\.jyp"
  ReadRegStr $0 HKCU "${CLASSES}\.jyr" ""
  StrCmp $0 "jiaoyuapp.receipt" 0 +2
    DeleteRegKey HKCU "${CLASSES}\.jyr"
  DeleteRegKey HKCU "${CLASSES}\jiaoyuapp.packet"
  DeleteRegKey HKCU "${CLASSES}\jiaoyuapp.receipt"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  ; %LOCALAPPDATA%\jiaoyu (the school's databases, backups, logs) stays: it is the school's, not ours.
SectionEnd
