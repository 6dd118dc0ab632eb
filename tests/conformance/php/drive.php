<?php
// Runs the must-use plugin from docs/akismet.md under php-cli for
// tests/conformance/test_wordpress_mu_plugin.py.
//
// WordPress itself does not run here. The few WordPress functions the mu-plugin and the Akismet
// plugin's http_post() use are stood in for below: the hook API (add_filter/apply_filters,
// add_action/do_action),
// wp_parse_url, and wp_remote_request/wp_remote_post, which — like WordPress' own HTTP API —
// first offers the request to the `pre_http_request` filter and otherwise sends it for real
// (here with fsockopen, HTTP/1.0, read until the server closes the connection).
//
// Usage: php drive.php MU_PLUGIN_FILE REJOINDER_URL '<json list of requests>'
// Each request: {url, body, charset, host?}; prints a JSON list of
// {code, body, headers} answers, as the Akismet plugin would receive them. An admin page:
// {query, admin_html}, answered by {html}, the page as the browser would get it.

$GLOBALS['rj_filters'] = array();

function add_filter( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
    $GLOBALS['rj_filters'][ $hook ][ $priority ][] = array( $callback, $accepted_args );
    return true;
}

function apply_filters( $hook, $value, ...$args ) {
    $by_priority = $GLOBALS['rj_filters'][ $hook ] ?? array();
    ksort( $by_priority );
    foreach ( $by_priority as $callbacks ) {
        foreach ( $callbacks as list( $callback, $accepted ) ) {
            $value = $callback( ...array_slice( array_merge( array( $value ), $args ), 0, $accepted ) );
        }
    }
    return $value;
}

function add_action( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
    return add_filter( $hook, $callback, $priority, $accepted_args );
}

function do_action( $hook, ...$args ) {
    $by_priority = $GLOBALS['rj_filters'][ $hook ] ?? array();
    ksort( $by_priority );
    foreach ( $by_priority as $callbacks ) {
        foreach ( $callbacks as list( $callback, $accepted ) ) {
            $callback( ...array_slice( $args, 0, $accepted ) );
        }
    }
}

// An admin page as WordPress serves it: `admin_init` runs, then the page is printed.
function rj_admin_page( $query, $html ) {
    $_GET = $query;
    $level = ob_get_level();
    ob_start();
    do_action( 'admin_init' );
    echo $html;
    while ( ob_get_level() > $level + 1 ) {
        ob_end_flush();
    }
    return array( 'html' => ob_get_clean() );
}

function wp_parse_url( $url, $component = -1 ) {
    return parse_url( $url, $component );
}

function wp_remote_request( $url, $args = array() ) {
    $args = array_merge( array( 'method' => 'GET', 'headers' => array(), 'body' => '' ), $args );
    $pre = apply_filters( 'pre_http_request', false, $args, $url );
    if ( false !== $pre ) {
        return $pre;
    }
    return rj_send( $url, $args );
}

function wp_remote_post( $url, $args = array() ) {
    return wp_remote_request( $url, array_merge( $args, array( 'method' => 'POST' ) ) );
}

function rj_send( $url, $args ) {
    $parts = parse_url( $url );
    if ( 'rest.akismet.com' === substr( $parts['host'], -16 ) ) {
        return array( 'error' => 'would have reached the real Akismet' );
    }
    if ( 'passthrough.test' === $parts['host'] ) { // not Akismet: the mu-plugin must let it be
        return array( 'passthrough' => $url );
    }
    $port = $parts['port'] ?? 80;
    $path = ( $parts['path'] ?? '/' ) . ( isset( $parts['query'] ) ? '?' . $parts['query'] : '' );
    $headers = $args['headers'];
    if ( ! isset( $headers['Host'] ) ) {
        $headers['Host'] = $parts['host'] . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
    }
    $version = $args['httpversion'] ?? '1.0';
    $body = is_array( $args['body'] ) ? http_build_query( $args['body'] ) : (string) $args['body'];
    $request = "{$args['method']} {$path} HTTP/{$version}\r\n";
    foreach ( $headers as $name => $value ) {
        $request .= "{$name}: {$value}\r\n";
    }
    if ( 'POST' === $args['method'] ) {
        $request .= 'Content-Length: ' . strlen( $body ) . "\r\n";
    }
    $request .= "\r\n" . $body;
    $socket = fsockopen( $parts['host'], $port, $errno, $errstr, 10 );
    if ( ! $socket ) {
        return array( 'error' => "connect: $errstr" );
    }
    stream_set_timeout( $socket, 10 );
    fwrite( $socket, $request );
    $raw = '';
    while ( ! feof( $socket ) ) {
        $chunk = fread( $socket, 8192 );
        if ( false === $chunk || ( '' === $chunk && stream_get_meta_data( $socket )['timed_out'] ) ) {
            return array( 'error' => 'the server did not close the connection' );
        }
        $raw .= $chunk;
    }
    fclose( $socket );
    list( $head, $response_body ) = explode( "\r\n\r\n", $raw, 2 );
    $lines = explode( "\r\n", $head );
    $status = array_shift( $lines );
    $response_headers = array();
    foreach ( $lines as $line ) {
        list( $name, $value ) = array_map( 'trim', explode( ':', $line, 2 ) );
        $response_headers[ strtolower( $name ) ] = $value;
    }
    return array(
        'response' => array( 'code' => (int) explode( ' ', $status )[1] ),
        'status_line' => $status,
        'headers' => $response_headers,
        'body' => $response_body,
        'sent_host' => $headers['Host'],
    );
}

list( , $mu_plugin, $rejoinder_url, $spec ) = $argv;
define( 'REJOINDER_URL', $rejoinder_url );
require $mu_plugin;

$answers = array();
foreach ( json_decode( $spec, true ) as $call ) {
    if ( isset( $call['admin_html'] ) ) {
        $answers[] = rj_admin_page( $call['query'], $call['admin_html'] );
        continue;
    }
    // As Akismet::http_post() (plugin 5.x) builds its request.
    $http_args = array(
        'body' => $call['body'],
        'headers' => array(
            'Content-Type' => 'application/x-www-form-urlencoded; charset=' . $call['charset'],
            'Host' => $call['host'] ?? 'rest.akismet.com',
            'User-Agent' => 'WordPress/6.7.1 | Akismet/5.3.5',
        ),
        'httpversion' => '1.0',
        'timeout' => 15,
    );
    $answers[] = wp_remote_post( $call['url'], $http_args );
}
echo json_encode( $answers );
