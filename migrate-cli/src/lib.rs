//! The command line library: config, source scanning, migrations folder, commands.
