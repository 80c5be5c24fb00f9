namespace Defender.ErrorMiddleware.Metadata;

/// <summary>
/// Implemented by validation attributes that fail with one documented code (e.g. a hash attribute with InvalidHashValue),
/// so that an endpoint whose parameters or body properties carry one documents that code under 400.
/// </summary>
public interface IDefenderErrorCodeSource
{
    /// <summary>The code the attribute's failure produces.</summary>
    DefenderErrorCode Code { get; }
}
