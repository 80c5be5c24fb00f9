using System.Globalization;
using Defender.ErrorMiddleware;

namespace Defender.SampleApi.Endpoints;

/// <summary>
/// The longest text each stored field may hold, and how many items a stored list may have. Defender documents none of these
/// numbers but the indicator cap, so they are the sample's: long enough for real use, short enough that no sequence of accepted
/// writes can make a list slow or large. A longer value is 400 InvalidInput naming the field and its limit.
/// </summary>
internal static class FieldLimits
{
    /// <summary>A machine action's or a cancellation's <c>Comment</c>.</summary>
    public const int Comment = 1_000;

    /// <summary>An indicator's value: long enough for any URL a browser sends (hashes, addresses and domains are shorter by their type).</summary>
    public const int IndicatorValue = 2_048;

    public const int Title = 256;

    public const int Description = 1_024;

    public const int RecommendedActions = 1_024;

    public const int Application = 256;

    /// <summary>Items of <c>rbacGroupNames</c>, and the length of each.</summary>
    public const int RbacGroupNames = 20;

    public const int RbacGroupName = 128;

    /// <summary>Commands in one live response request, parameters per command, and each parameter's key and value.</summary>
    public const int LiveResponseCommands = 20;

    public const int LiveResponseParameters = 10;

    public const int LiveResponseKey = 64;

    public const int LiveResponseValue = 1_024;

    /// <summary>Room for an indicator's member names, punctuation and short members (type, action, severity, dates) in JSON.</summary>
    public const int IndicatorJsonOverhead = 512;

    /// <summary>
    /// The largest request body the API accepts, in bytes: the largest legitimate one, an import of 500 indicators with every
    /// text at its maximum (ASCII), plus 1 KB: 500 × (2,048 + 256 + 1,024 + 1,024 + 256 + 20 × (128 + 3) + 512) + 1,024 =
    /// 3,871,024 bytes (3.7 MiB). Every other body is far smaller (live response at most about 230 KB). A longer body is
    /// 413 InvalidRequestBody before the binder buffers it (Kestrel's default would be 30 MB, held at about 3 times its size).
    /// </summary>
    public const long RequestBody = IndicatorRules.MaximumImportBatchSize
        * (IndicatorValue + Title + Description + RecommendedActions + Application + (RbacGroupNames * (RbacGroupName + 3)) + IndicatorJsonOverhead)
        + 1_024;

    /// <summary>Defender's documented cap: active (unexpired) indicators per tenant.</summary>
    public const int ActiveIndicators = 15_000;

    /// <summary>400 InvalidInput when <paramref name="value"/> is longer than <paramref name="maximum"/>, else null.</summary>
    public static DefenderError? Check(string field, string? value, int maximum) =>
        value is not null && value.Length > maximum ? TooLong(field, maximum) : null;

    public static DefenderError TooLong(string field, int maximum) =>
        DefenderError.InvalidInput(string.Create(CultureInfo.InvariantCulture, $"{field}: longer than {maximum} characters"));

    public static DefenderError TooMany(string field, int maximum) =>
        DefenderError.InvalidInput(string.Create(CultureInfo.InvariantCulture, $"{field}: more than {maximum} items"));
}
