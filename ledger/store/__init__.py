"""Where things are kept: settings, SQL connections, the event transcoder, vault,
node stores, read model."""
