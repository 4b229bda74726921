"""Device sources: each turns one kind of input into an ``Acquisition`` (and nothing else).

Registry (explicit; add a source by adding a module and a line here):

* ``package_list.read_package_list(path)``: ``pm list packages`` output or one name per line
* ``androidqf.read_androidqf(path)``: an AndroidQF acquisition folder (or its zip)
* ``bugreport.read_bugreport(path)``: an Android bug report zip
* ``adb.read_adb(consent, serial=None, runner=None)``: a phone over USB with ``adb``
* ``ios_backup.read_ios_backup(path)``: an unencrypted Finder/iTunes backup folder
* ``ios_backup.read_ios_backup_zip(path)``: the same backup folder, zipped (read in place)
* ``ios_usb.read_ios_usb(consent, client=None)``: an iPhone over USB with ``pymobiledevice3``
"""
