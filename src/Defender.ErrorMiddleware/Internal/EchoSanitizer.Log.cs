namespace Defender.ErrorMiddleware.Catalog;

/// <summary>The server's part of the echo rule (src/Shared/EchoSanitizer.cs): how much of one value a log line carries.</summary>
internal static partial class EchoSanitizer
{
    /// <summary>The most characters of one value (a path, a message) that a log line carries.</summary>
    internal const int MaxLogLength = 2048;
}
